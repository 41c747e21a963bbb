#!/bin/sh

#信頼する特定ホストのIPアドレス
TrustIP='203.0.113.5'

#パケットフィルタリングルールをクリア
#OSの起動スクリプトで処理します。
#お客さまにてクリア処理を実装する場合は、ここに追加してください。
#iptables ?F

#ポリシーを設定 -> その他全ての接続を拒否
iptables -P INPUT DROP
iptables -P OUTPUT DROP
iptables -P FORWARD DROP

#ループバックアドレスからのアクセスを許可
iptables -A INPUT -i lo -j ACCEPT
iptables -A OUTPUT -o lo -j ACCEPT

#任意のネットワークからのHTTPアクセスを許可
iptables -A INPUT -p tcp --dport 80 -j ACCEPT

#信頼できる特定ホストからのFTP接続を許可
iptables -A INPUT -p tcp -s $TrustIP --dport 21 -j ACCEPT
iptables -A INPUT -p tcp -m state --state NEW -s $TrustIP --dport 1024: -j ACCEPT

#信頼できる特定ホストからのSSH接続を許可
iptables -A INPUT -p tcp -s $TrustIP --dport 22 -j ACCEPT

#自ホストから外部DNSサーバーへの問合せを許可
iptables -A OUTPUT -p udp --dport 53 -j ACCEPT
iptables -A OUTPUT -p tcp --dport 53 -j ACCEPT

#確立済みの接続及びそれと関連する接続についてパケットは許可
iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
iptables -A OUTPUT -m state --state ESTABLISHED,RELATED -j ACCEPT

// A firewall script of the kind hosting guides hand out for blocking whole countries: the usual
// policy, established and SSH rules, then one `iptables` call per blocked network, half of them
// appended to a chain of their own and half inserted at the top of INPUT (both are common).
export function generateBlocklistScript(networks: number): string {
  const out = [
    '#!/bin/sh',
    'iptables -F',
    'iptables -X',
    'iptables -P INPUT DROP',
    'iptables -P FORWARD DROP',
    'iptables -P OUTPUT ACCEPT',
    'iptables -A INPUT -i lo -j ACCEPT',
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -N BLOCKLIST',
    'iptables -I INPUT 3 -j BLOCKLIST',
  ];
  for (let i = 0; i < networks; i++) {
    const net = `${1 + ((i >> 14) & 127)}.${(i >> 6) & 255}.${(i & 63) << 2}.0/22`;
    out.push(i % 2 ? `iptables -A BLOCKLIST -s ${net} -j DROP` : `iptables -I INPUT -s ${net} -j DROP`);
  }
  return out.join('\n') + '\n';
}

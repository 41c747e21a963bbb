# SYNTAX TEST "source.shell" "iptables commands inside shell scripts"
TrustIP='203.0.113.5'
#       ^^^^^^^^^^^^^ - meta.command.iptables constant.numeric
#iptables -F
#^^^^^^^^ comment.line.number-sign.shell - meta.command.iptables keyword.control.command.iptables
iptables -P INPUT DROP
# <-------- meta.command.iptables.shell support.function.iptables
#        ^^ meta.command.iptables.shell keyword.control.command.iptables
#           ^^^^^ meta.command.iptables.shell entity.name.function.chain.iptables
#                 ^^^^ meta.command.iptables.shell constant.language.target.iptables
iptables -A INPUT -p tcp -m state --state NEW -s $TrustIP --dport 1024: -j ACCEPT
#                 ^^ meta.command.iptables.shell variable.parameter.option.iptables
#                    ^^^ meta.command.iptables.shell constant.language.protocol.iptables
#                           ^^^^^ meta.command.iptables.shell support.type.module.iptables
#                                         ^^^ meta.command.iptables.shell constant.language.state.iptables
#                                                ^ variable.other.normal.shell punctuation.definition.variable.shell
#                                                 ^^^^^^^ meta.command.iptables.shell variable.other.normal.shell - entity.name.function
#                                                         ^^^^^^^ meta.command.iptables.shell variable.parameter.option.iptables
#                                                                 ^^^^ meta.command.iptables.shell meta.range.port.iptables constant.numeric.integer.port.iptables
#                                                                 ^^^^^ meta.command.iptables.shell meta.range.port.iptables
#                                                                          ^^^^^^ meta.command.iptables.shell constant.language.target.iptables
    /sbin/ip6tables -t nat -A POSTROUTING ! -o lo -j MASQUERADE # masquerade
#   ^^^^^^^^^^^^^^^ meta.command.iptables.shell support.function.iptables
#                      ^^^ meta.command.iptables.shell entity.name.type.table.iptables
#                             ^^^^^^^^^^^ meta.command.iptables.shell entity.name.function.chain.iptables
#                                         ^ meta.command.iptables.shell keyword.operator.negation.iptables
#                                           ^^ meta.command.iptables.shell variable.parameter.option.iptables
#                                                    ^^^^^^^^^^ meta.command.iptables.shell support.function.target.iptables
#                                                               ^^^^^^^^^^^^ meta.command.iptables.shell comment.line.number-sign.shell
$IPT -A INPUT -m comment --comment "ssh from $NET" -j LOGDROP
# <---- meta.command.iptables.shell variable.other.normal.shell support.function.iptables
#                                  ^^^^^^^^^^ meta.command.iptables.shell string.quoted.double.shell
#                                            ^^^^ meta.command.iptables.shell string.quoted.double.shell variable.other.normal.shell
#                                                     ^^^^^^^ meta.command.iptables.shell entity.name.function.chain.iptables
${IPTABLES} -N LOGDROP
# ^^^^^^^^ meta.command.iptables.shell support.function.iptables
#           ^^ meta.command.iptables.shell keyword.control.command.iptables
#              ^^^^^^^ meta.command.iptables.shell entity.name.function.chain.iptables
[ -x /sbin/iptables ] && iptables -F || echo iptables -X
#    ^^^^^^^^^^^^^^ - meta.command.iptables
#                                 ^^ meta.command.iptables.shell keyword.control.command.iptables
#                                    ^^ - meta.command.iptables
#                                                     ^^ - meta.command.iptables keyword.control.command.iptables
iptables -A INPUT -s "$(cat /etc/trusted)" -j ACCEPT 2>/dev/null
#                       ^^^ meta.command.iptables.shell - variable.parameter.option.iptables
#                                                    ^^ meta.command.iptables.shell keyword.operator.redirect.shell
#                                             ^^^^^^ meta.command.iptables.shell constant.language.target.iptables
iptables -A INPUT \
#           ^^^^^ meta.command.iptables.shell entity.name.function.chain.iptables
#                 ^ meta.command.iptables.shell constant.character.escape.line-continuation.shell
  -s 10.0.0.0/8 -j DROP
#    ^^^^^^^^ meta.command.iptables.shell constant.numeric.address.ipv4.iptables
#                  ^^^^ meta.command.iptables.shell constant.language.target.iptables
echo iptables -A INPUT
#             ^^ - meta.command.iptables keyword.control.command.iptables
iptables-save > /etc/iptables/rules.v4
# <------------- - meta.command.iptables support.function.iptables
iptables-restore <<EOF
# <---------------- support.function.iptables
#                  ^^^ punctuation.definition.string.heredoc.delimiter.shell
*filter
# <------- source.iptables-save meta.table.iptables
:INPUT DROP [0:0]
# <------ source.iptables-save meta.chain.iptables
#           ^^^^^ source.iptables-save meta.counters.iptables
-A INPUT -s $NET -j ACCEPT
# <-- source.iptables-save keyword.control.command.iptables
#           ^^^^ source.iptables-save variable.other.normal.shell
#                   ^^^^^^ source.iptables-save constant.language.target.iptables
COMMIT
# <------ source.iptables-save keyword.control.commit.iptables
EOF
# <--- punctuation.definition.string.heredoc.delimiter.shell - source.iptables-save
iptables -A INPUT -j DROP
#        ^^ - source.iptables-save
#        ^^ meta.command.iptables.shell keyword.control.command.iptables
"$IPTABLES" -A INPUT -j ACCEPT
# <- meta.command.iptables.shell string.quoted.double.shell punctuation.definition.string.begin.shell
# ^^^^^^^^ meta.command.iptables.shell support.function.iptables
#           ^^ meta.command.iptables.shell keyword.control.command.iptables
#                       ^^^^^^ meta.command.iptables.shell constant.language.target.iptables
"$IPTABLES -A INPUT"
#          ^^ - meta.command.iptables

#!/bin/sh
# Ask the real iptables what a file means, inside a throwaway network namespace (never this machine's
# firewall). Needs root and iptables (./dev deps).
#   scripts/oracle/real-save.sh FILE [4|6]      run FILE (a shell script with `sh`, or an iptables-save
#                                               file with iptables-restore) and print iptables-save (or
#                                               ip6tables-save with 6) without comments
#   scripts/oracle/real-save.sh -c 'RULE ARGS' [4|6]   one command, e.g. -c '-A INPUT -p tcp --dport 22 -j ACCEPT'
# Exit status: that of the script / iptables-restore / iptables command.
set -eu
if [ "$(id -u)" != 0 ]; then echo "real-save: needs root (unshare -n)" >&2; exit 2; fi
if [ "${1:-}" = -c ]; then mode=cmd; arg=${2:?rule arguments}; fam=${3:-4}
else mode=file; arg=${1:?usage: real-save.sh FILE [4|6]}; fam=${2:-4}; fi
case "$fam" in 4) ipt=iptables ;; 6) ipt=ip6tables ;; *) echo "real-save: family must be 4 or 6" >&2; exit 2 ;; esac
if [ "$mode" = file ]; then
  [ -r "$arg" ] || { echo "real-save: cannot read $arg" >&2; exit 2; }
  if grep -Eq '^\*(filter|nat|mangle|raw|security)[[:space:]]*$' "$arg" && ! grep -Eq '^[[:space:]]*(ip6?tables|\$)' "$arg"; then
    run="$ipt-restore < \"\$1\""
  else
    run="sh \"\$1\""
  fi
else
  run="eval \"$ipt \$1\""
fi
exec unshare -n sh -c "$run; rc=\$?; $ipt-save | grep -v '^#'; exit \$rc" real-save "$arg"

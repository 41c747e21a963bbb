#!/bin/bash
# Records what the real iptables 1.8.9 (nft backend) does with each rule, for the header-cases-*.tsv
# files that header-matches.test.ts reads. Run as root; every rule goes into a throwaway network
# namespace, never into this machine's firewall.
#   usage: test/unit/knowledge/header-oracle.sh FILE.tsv...   (rewrites the result columns in place)
# Columns: family  table  chain  rule (shell-quoted, as typed after `iptables -A CHAIN`)  OK|FAIL  save-line|error
set -eu
for file in "$@"; do
  tmp=$(mktemp)
  grep '^#' "$file" > "$tmp" || true
  grep -v '^#' "$file" | cut -f1-4 | unshare -n bash -c '
    while IFS=$'"'"'\t'"'"' read -r fam table chain rule; do
      [ -z "$rule" ] && continue
      bin=iptables; [ "$fam" = 6 ] && bin=ip6tables
      if err=$(eval "$bin -t $table -A $chain $rule" 2>&1 >/dev/null); then
        line=$($bin-save -t $table | grep -- "^-A $chain " || true)
        printf "%s\t%s\t%s\t%s\tOK\t%s\n" "$fam" "$table" "$chain" "$rule" "${line#-A $chain }"
        $bin -t $table -F $chain
      else
        printf "%s\t%s\t%s\t%s\tFAIL\t%s\n" "$fam" "$table" "$chain" "$rule" "$(echo "$err" | head -1)"
      fi
    done' >> "$tmp"
  mv "$tmp" "$file"
done

// Which programs are iptables itself, for the consumers of the shell events.
import type { Family } from '../ast';
import type { Word } from '../ast';

const IPTABLES = /^(ip6?)tables(?:-legacy|-nft)?$/;

/**
 * The address family of an `iptables`-like program word (`/sbin/iptables`, `ip6tables-nft`, ...),
 * or undefined for anything else, including a symbolic word such as an unknown `$IPTABLES`.
 */
export function iptablesFamily(program: string | Word): Family | undefined {
  if (typeof program !== 'string') {
    if (program.symbolic) return undefined;
    program = program.text;
  }
  const m = IPTABLES.exec(program.slice(program.lastIndexOf('/') + 1));
  return m ? (m[1] === 'ip6' ? 6 : 4) : undefined;
}

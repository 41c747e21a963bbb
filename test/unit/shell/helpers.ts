// Shared helpers for the shell front end's tests.
import { spawnSync } from 'node:child_process';
import type { Range } from '../../../server/src/syntax/ast';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
import type { ShellEvent } from '../../../server/src/syntax/shell/types';

/** Programs the bash oracle replaces with a recorder (bash accepts `/` in function names). */
export const RECORDED = ['iptables', 'ip6tables', '/sbin/iptables', '/usr/sbin/iptables', 'iptables-nft', 'iptables-legacy', 'iptables-restore', 'ip6tables-restore'];

const PRELUDE = String.raw`
__rec() { local a out="$1"; shift; for a in "$@"; do out+=$'\x1f'"$a"; done; printf '%s\x1e' "$out" >&3; }
for __p in ${RECORDED.filter((p) => !p.endsWith('-restore')).join(' ')}; do eval "function $__p { __rec \"\${FUNCNAME[0]}\" \"\$@\"; }"; done
for __p in iptables-restore ip6tables-restore; do eval "function $__p { local __b; __b=\$(cat); __rec \"\${FUNCNAME[0]}\" \"\$@\" \"BODY:\$__b\"; }"; done
sudo() { "$@"; }
`;

export const hasBash = spawnSync('bash', ['-c', 'exit 0']).status === 0;
const isRoot = process.getuid?.() === 0;
const hasUnshare = isRoot && spawnSync('unshare', ['-n', 'true']).status === 0;

/** The recorded programs' argument lists, as real bash runs `script`. */
export function bashCommands(script: string): string[][] {
  // Every iptables name is a recording function and /usr/sbin is off PATH; as root, a private network
  // namespace as well, so that no mistake in a case can touch this machine's firewall.
  const argv = ['bash', '--norc', '--noprofile', '-c', PRELUDE + '\n' + script];
  if (isRoot && hasUnshare) argv.unshift('unshare', '-n');
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin' },
    // the recorder writes to fd 3, so pipes and redirections in a case do not hide its records
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  return String(r.output[3]).split('\x1e').filter((s) => s !== '').map((s) => s.split('\x1f'));
}

/** The same from our evaluator: recorded programs only; restore bodies in the same shape. */
export function ourCommands(script: string): { words: string[][]; events: ShellEvent[] } {
  const events = evaluateShell(script).events.filter((e) => RECORDED.includes(e.words[0].text));
  const words = events.map((e) => {
    const w = e.words.map((x) => x.text);
    if (e.kind === 'restore') w.push('BODY:' + e.body.replace(/\n+$/, ''));
    return w;
  });
  return { words, events };
}

/** The text a range covers (ranges are 0-based lines and UTF-16 columns; lines end at \n, \r\n, \r). */
export function textAt(text: string, r: Range): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') starts.push(i + 1);
    else if (text[i] === '\r') { if (text[i + 1] === '\n') i++; starts.push(i + 1); }
  }
  return text.slice(starts[r.start.line] + r.start.character, starts[r.end.line] + r.end.character);
}

export const rng = (seed: number) => () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;

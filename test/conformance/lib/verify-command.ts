// Checks a diagnostic in a shell script against the real iptables: take the literal command at the
// diagnostic's line, run it alone in a fresh namespace, and see whether iptables accepts it.
// Chains the command needs but that only the rest of the script would create are created on demand
// (from iptables' own "does not exist" messages), so only the command's own validity is judged.
import { cached, runInNetnsAsync, shq } from './oracle';

export interface LiteralCommand { family: 4 | 6; args: string; firstLine: number; lastLine: number }

/** The whole command (continuations joined) around 1-based `line`, if it is a literal iptables call. */
export function literalCommandAt(text: string, line: number): LiteralCommand | string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let first = line - 1;
  while (first > 0 && /\\$/.test(lines[first - 1]!)) first--;
  let last = line - 1;
  while (last < lines.length - 1 && /\\$/.test(lines[last]!)) last++;
  const joined = lines.slice(first, last + 1).map((l, i, a) => (i < a.length - 1 ? l.replace(/\\$/, '') : l)).join(' ').trim();
  const m = /^(\S+)\s+(.*)$/.exec(joined);
  if (!m) return 'no command here';
  const prog = m[1]!;
  const family = /ip6tables|IP6T|IPT6/i.test(prog) ? 6 : /iptables|IPT/i.test(prog) ? 4 : undefined;
  if (!family) return `not an iptables call: ${prog}`;
  const args = m[2]!.replace(/\s+#.*$/, '');
  const unquoted = args.replace(/"[^"]*"|'[^']*'/g, '');
  if (/[$`]/.test(args)) return 'uses shell variables';
  if (/[|&;<>(){}]/.test(unquoted)) return 'part of a compound shell command';
  return { family, args, firstLine: first + 1, lastLine: last + 1 };
}

const BUILTIN = new Set(['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING']);

export interface CommandVerdict { accepted: boolean; status: number; stderr: string; created: string[] }

export async function realVerdict(cmd: LiteralCommand): Promise<CommandVerdict> {
  return cached('command', { v: 1, family: cmd.family, args: cmd.args }, async () => {
    const ipt = cmd.family === 6 ? 'ip6tables' : 'iptables';
    // The table, if the command names one, is where missing chains are created.
    const table = /(?:^|\s)(?:-t|--table)\s+(\S+)/.exec(cmd.args)?.[1] ?? 'filter';
    // The command's own chain, when user-defined, exists in the script by then (unless it is -N).
    const own = /(?:^|\s)(-[AIRDCFZXEL]|--(?:append|insert|replace|delete|check|flush|zero|delete-chain|rename-chain|list))\s+([^\s-]\S*)/.exec(cmd.args)?.[2];
    const pre = own && !BUILTIN.has(own) ? `${ipt} -t ${shq(table)} -N ${shq(own)} 2>/dev/null; made=${shq(own)}` : 'made=""';
    const script = [
      `E=$(mktemp); ${pre}`,
      'for try in 1 2 3 4; do',
      `  ${ipt} ${cmd.args} >/dev/null 2>"$E"; rc=$?`,
      `  missing=$(sed -n "s/.*Chain '\\([^']*\\)' does not exist.*/\\1/p" "$E" | head -n 1)`,
      '  if [ $rc -ne 0 ] && [ -n "$missing" ] && ! echo " $made " | grep -qF " $missing "; then',
      `    ${ipt} -t ${shq(table)} -N "$missing" 2>/dev/null && made="$made $missing" && continue`,
      '  fi',
      '  break',
      'done',
      'echo "rc=$rc made=$made"; cat "$E"; rm -f "$E"',
    ].join('\n');
    const r = await runInNetnsAsync(script + '\n');
    const m = /^rc=(\d+) made=(.*)$/m.exec(r.stdout);
    const status = m ? Number(m[1]) : -1;
    return {
      accepted: status === 0, status,
      stderr: r.stdout.slice((m?.index ?? 0) + (m?.[0].length ?? 0)).trim(),
      created: (m?.[2] ?? '').trim().split(/\s+/).filter(Boolean),
    };
  });
}

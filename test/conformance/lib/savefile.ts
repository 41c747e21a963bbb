// The real iptables-restore on a whole iptables-save file: does it load, where does it stop, and what
// does iptables-save print afterwards. One namespace per file.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { bins, cached, type Family, restoreErrorLine, runInNetnsAsync, shq } from './oracle';

/** iptables or ip6tables, from the file name first, then from what the rules contain. */
export function detectFamily(path: string, text: string): Family {
  const name = basename(path);
  if (/ip6tables|\.v6$|6\.rules$|ipv6/i.test(name)) return 6;
  if (/ip(v4)?tables|\.v4$/i.test(name)) return 4;
  if (/ipv6-icmp|icmpv6|--icmpv6-type|(^|\s)-[sd] !?\s*[0-9a-f]*:[0-9a-f:]*(\/\d+)?(\s|$)/im.test(text)) return 6;
  return 4;
}

export interface RealRestore {
  family: Family;
  /** `iptables-restore --test`: parses without touching the kernel (misses e.g. jumps to missing chains). */
  test: { status: number; stderr: string; line?: number };
  /** A real `iptables-restore` into an empty namespace. */
  load: { status: number; stderr: string; line?: number };
  /** iptables-save after a successful load, as printed (comments and counters included). */
  saved: string;
}

const MARK = '@@ORACLE@@';

export async function realRestore(path: string, family: Family): Promise<RealRestore> {
  const text = readFileSync(path, 'utf8');
  return cached('restore', { v: 1, text, family }, async () => {
    const b = bins(family);
    const script = [
      `T=${shq(path)}; E=$(mktemp)`,
      `${b.restore} --test < "$T" 2>"$E"; echo "${MARK}test $?"; cat "$E"`,
      `${b.restore} < "$T" 2>"$E"; rc=$?; echo "${MARK}load $rc"; cat "$E"`,
      `echo "${MARK}save"; [ $rc -eq 0 ] && ${b.save}`,
      `rm -f "$E"`,
    ].join('\n');
    const res = await runInNetnsAsync(script + '\n');
    const part = (name: string): { status: number; body: string } => {
      const m = new RegExp(`${MARK}${name}( \\d+)?\\n([\\s\\S]*?)(?=${MARK}|$)`).exec(res.stdout);
      if (!m) throw new Error(`oracle output lacks ${name} for ${path}: ${res.stderr.slice(0, 300)}`);
      return { status: Number(m[1] ?? 0), body: m[2] ?? '' };
    };
    const test = part('test');
    const load = part('load');
    return {
      family,
      test: { status: test.status, stderr: test.body.trim(), line: test.status ? restoreErrorLine(test.body) : undefined },
      load: { status: load.status, stderr: load.body.trim(), line: load.status ? restoreErrorLine(load.body) : undefined },
      saved: part('save').body,
    };
  });
}

/** 1-based line of the `*table` that opened the block containing `line`, and whether `line` is its COMMIT. */
export function blockOf(text: string, line: number): { start: number; isCommit: boolean } {
  const lines = text.split('\n');
  let start = 1;
  for (let i = 0; i < Math.min(line, lines.length); i++) if (lines[i]!.startsWith('*')) start = i + 1;
  return { start, isCommit: (lines[line - 1] ?? '').trim() === 'COMMIT' };
}


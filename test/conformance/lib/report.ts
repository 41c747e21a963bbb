// Plain-text tables and short diffs for the conformance reports.

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  // Numbers right-aligned, text left-aligned.
  const numeric = headers.map((_, i) => cells.slice(1).every((r) => /^[-\d.,%×]*( ?(s|ms|MiB|err))?$/.test(r[i] ?? '')));
  const fmt = (r: string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n');
}

export function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`;
}

/** The first differing lines of two texts, as `-expected` / `+actual` with line numbers (1-based). */
export function shortDiff(expected: string, actual: string, max = 6): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  // Align on a simple LCS-free scan: report lines missing on either side, keeping order.
  const inB = new Set(b);
  const inA = new Set(a);
  for (let i = 0; i < a.length && out.length < max; i++) if (!inB.has(a[i]!)) out.push(`  -${i + 1}: ${a[i]}`);
  for (let i = 0; i < b.length && out.length < 2 * max; i++) if (!inA.has(b[i]!)) out.push(`  +${i + 1}: ${b[i]}`);
  if (out.length === 0 && expected !== actual) {
    const i = a.findIndex((l, k) => l !== b[k]);
    out.push(`  same lines, different order from line ${i + 1}: -${a[i] ?? '<eof>'} / +${b[i] ?? '<eof>'}`);
  }
  return out.join('\n');
}

export function clip(s: string, n = 160): string {
  const one = s.replace(/\s*\n\s*/g, ' | ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

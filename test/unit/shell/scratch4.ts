import { evaluateShell } from '../../../server/src/syntax/shell/index';
import { lex, newBudget } from '../../../server/src/syntax/shell/lexer';
import { Parser } from '../../../server/src/syntax/shell/parser';
function gen(size: number): string {
  const lines: string[] = ['#!/bin/sh', 'IPT=/sbin/iptables', 'TrustIP=192.0.2.1'];
  let n = 0, len = 0;
  while (len < size) {
    const i = n++;
    const l = i % 7 === 0 ? `if [ -n "$X${i}" ]; then\n  $IPT -A INPUT -p tcp --dport ${i % 65535} -s $TrustIP -j ACCEPT # c${i}\nfi`
      : i % 7 === 1 ? `add_${i % 50}() { $IPT -A FWD -d "$1" -j DROP; }`
      : i % 7 === 2 ? `for p in 1 2 3; do $IPT -A OUT --sport $p -j ACCEPT; done`
      : `$IPT -A INPUT -i eth${i % 4} -m comment --comment 'rule ${i}' -j ACCEPT`;
    lines.push(l); len += l.length + 1;
  }
  return lines.join('\n') + '\n';
}
evaluateShell(gen(1e5));
for (const size of (process.env.SIZES ?? "1e6,1e7").split(",").map(Number)) {
  const t = gen(size);
  let t0 = performance.now();
  const l = lex(t, 'main', newBudget(t.length));
  const tl = performance.now() - t0;
  t0 = performance.now();
  const col: any = { src: t, budget: newBudget(t.length), problems: [], uses: [], defs: [], comments: [], funcs: [], commandNames: [], simpleCount: 0 };
  new Parser(col).parseScript(t, 0);
  const tp = performance.now() - t0;
  t0 = performance.now();
  const r = evaluateShell(t);
  const ms = performance.now() - t0;
  console.log(`${(t.length/1e6).toFixed(1)} MB: lex ${tl.toFixed(0)} ms (${l.tokens.length} tokens), lex+parse ${tp.toFixed(0)} ms, total ${ms.toFixed(0)} ms, events=${r.events.length}`);
}

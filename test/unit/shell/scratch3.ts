import { evaluateShell } from '../../../server/src/syntax/shell/index';
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
for (const size of (process.env.SIZES ?? "1e6,1e7").split(",").map(Number)) {
  const t = gen(size);
  const t0 = performance.now();
  const r = evaluateShell(t);
  const ms = performance.now() - t0;
  console.log(`${(t.length/1e6).toFixed(1)} MB: ${ms.toFixed(0)} ms, events=${r.events.length}, problems=${r.problems.length}, mem=${(process.memoryUsage().heapUsed/1e6).toFixed(0)}MB`);
}

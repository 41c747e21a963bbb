// IPT301: a rule accepts a port range of 1,000 ports or more, or an open-ended one (`1024:`).
import { loc, type Fix } from '../syntax/ast';
import { sensitiveIn } from '../knowledge/sensitive-ports';
import type { CheckDef, Finding } from './types';
import { destinationPorts, protocol } from './lib/rule-facts';

const LIMIT = 1000;

export const broadPortRange: CheckDef = {
  code: 'IPT301',
  name: 'broad-port-range',
  severity: 'warning',
  summary: loc('An accept of 1,000 ports or more, or an open-ended range such as 1024:.', '1,000 個以上のポート、または 1024: のような上限なしの範囲を許可しています。'),
  run(analysis) {
    const out: Finding[] = [];
    for (const rec of analysis.commands) {
      const cmd = rec.command;
      if (cmd.invalid || cmd.target?.name !== 'ACCEPT' || !(cmd.op === 'A' || cmd.op === 'I' || cmd.op === 'R')) continue;
      const limit = destinationPorts(cmd);
      if (!limit || !limit.words.length) continue;
      const text = limit.words[0].text;
      const openEnded = !limit.negated && text.split(',').some((p) => /^:|:$/.test(p));
      let count = limit.ranges.reduce((n, r) => n + (r.to - r.from + 1), 0);
      if (limit.negated) count = 65536 - count;
      if (count < LIMIT && !openEnded) continue;
      const proto = protocol(cmd);
      const inside = limit.negated ? [] : limit.ranges.flatMap((r) => sensitiveIn(r.from, r.to, proto));
      const names = [...new Map(inside.map((s) => [s.name, `${s.name} ${s.port}`])).values()].slice(0, 6);
      const span = limit.negated ? `all but ${text}` : limit.ranges.map((r) => `${r.from}-${r.to}`).join(', ');
      const spanJa = limit.negated ? `${text} 以外すべて` : span;
      const fixes: Fix[] = [];
      if (!limit.negated && limit.ranges.length === 1 && limit.ranges[0].from >= 1024) {
        fixes.push({
          title: loc('Narrow to the passive-FTP range 50000:50100 (set the same range in the FTP server)', 'パッシブ FTP 用の範囲 50000:50100 に絞る（FTP サーバー側も同じ範囲に設定）'),
          edits: [{ range: limit.words[0].range, newText: '50000:50100' }],
        });
      }
      out.push({
        range: limit.words[0].range,
        message: loc(
          `accepts ${count.toLocaleString('en-US')} ports (${span})${names.length ? `, including ${names.join(', ')}` : ''}: any service listening there is reachable`,
          `${count.toLocaleString('ja-JP')} 個のポート（${spanJa}）を許可しています${names.length ? `。${names.join('、')} も含まれます` : ''}。そこで待ち受けるサービスはすべて到達可能になります`),
        fixes,
      });
    }
    return out;
  },
};

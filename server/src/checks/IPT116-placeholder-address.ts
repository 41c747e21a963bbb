// IPT116: an address like y.y.y.y or xxx.xxx.xxx.xxx, left from a guide's template.
import { loc, type Range } from '../syntax/ast';
import type { CheckDef, Finding } from './types';

import { isPlaceholderAddress } from '../knowledge/values';

export const placeholderAddress: CheckDef = {
  code: 'IPT116',
  name: 'placeholder-address',
  severity: 'warning',
  summary: loc('A placeholder such as y.y.y.y left where a real address belongs.', '本来のアドレスの代わりに y.y.y.y のような仮の値が残っています。'),
  run(analysis) {
    const out: Finding[] = [];
    const vars = analysis.shell?.variables ?? [];
    for (const rec of analysis.commands) {
      const g = rec.command.generic;
      for (const m of [g.source, g.destination]) {
        if (!m || m.arg.symbolic) continue;
        const bad = m.value.includes(',') ? m.value.split(',').find(isPlaceholderAddress) : startsLikeAddress(m.value) ? undefined : isPlaceholderAddress(m.value) ? m.value : undefined;
        if (!bad) continue;
        const origin = vars.find((v) => v.uses.some((u) => sameRange(u, m.arg.range)));
        out.push({
          range: m.arg.range,
          message: loc(`"${bad}" is a placeholder, not an address: put the real address here${origin ? ` (set in ${origin.name})` : ''}. iptables would try to look it up as a host name, fail, and not add this rule`,
            `"${bad}" は仮の値でアドレスではありません。実際のアドレスに置き換えてください${origin ? `（${origin.name} で設定）` : ''}。iptables はホスト名として解決しようとして失敗し、このルールは追加されません`),
          related: origin?.definitions.map((d) => ({ range: d, message: loc(`${origin.name} is set here`, `${origin.name} はここで設定されています`) })),
        });
      }
    }
    return out;
  },
};

/** A digit or a colon first: an IPv4 or IPv6 address, never a placeholder (y.y.y.y, <your-ip>, xxx.xxx.xxx.xxx). */
const startsLikeAddress = (v: string) => { const c = v.charCodeAt(0); return (c >= 48 && c <= 57) || c === 58; };

const sameRange = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

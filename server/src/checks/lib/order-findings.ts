// Turns rule-order findings of one kind into check findings with related information.
import { loc, type Localized } from '../../syntax/ast';
import type { Analysis } from '../../engine';
import { orderFindings, type OrderFinding, type OrderKind } from '../../analysis/order';
import type { Finding } from '../types';

export function orderCheck(analysis: Analysis, kind: OrderKind, describe: (f: OrderFinding) => { message: Localized; related: Localized }, extra?: (f: OrderFinding) => Partial<Finding>): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<unknown>();
  for (const f of orderFindings(analysis)) {
    if (f.kind !== kind || reported.has(f.rule.command)) continue;
    reported.add(f.rule.command);
    const d = describe(f);
    out.push({
      range: f.rule.command.range,
      message: d.message,
      related: f.by.slice(0, 5).map((r) => ({ range: r.command.range, message: d.related })),
      ...extra?.(f),
    });
  }
  return out;
}

export const lineOf = (f: OrderFinding, k = 0) => f.by[k].command.range.start.line + 1;
export const linesOf = (f: OrderFinding) => [...new Set(f.by.map((r) => r.command.range.start.line + 1))].join(', ');
export { loc };

// Inlay hints after port values: the service name (`--dport 22` ssh) or, for an open-ended range,
// how many ports it covers (`--dport 1024:` 64,512 ports).
import { InlayHintKind, type InlayHint, type Range as LspRange } from 'vscode-languageserver';
import type { Analysis } from '../engine';
import type { Lang } from '../syntax/ast';
import { isRelevant } from './documents';
import { recordsOnLine } from './locate';
import { rangeKey, type Cancel, NEVER } from './text';
import { PORT_OPTIONS, portHint, protocolOf } from './values';

export function inlayHints(a: Analysis, range: LspRange, lang: Lang, token: Cancel = NEVER): InlayHint[] {
  if (!isRelevant(a)) return [];
  // One hint per word; a loop body run with several values shows them all (`http | https`).
  const byWord = new Map<string, { hint: InlayHint; labels: string[] }>();
  const seen = new Set<unknown>();
  for (let line = range.start.line; line <= range.end.line; line++) {
    if ((line & 1023) === 0 && token.isCancellationRequested) return [];
    for (const rec of recordsOnLine(a, line)) {
      if (seen.has(rec)) continue;
      seen.add(rec);
      const cmd = rec.command;
      cmd.roles.forEach((role, i) => {
        if (role.kind !== 'value' || !role.module || !PORT_OPTIONS.has(role.option)) return;
        const w = cmd.words[i];
        if (w.symbolic) return;
        const label = portHint(w.text, protocolOf(cmd), lang);
        if (!label) return;
        const k = rangeKey(w.range);
        const have = byWord.get(k);
        if (have) { if (!have.labels.includes(label)) have.labels.push(label); return; }
        byWord.set(k, { hint: { position: w.range.end, label, kind: InlayHintKind.Type, paddingLeft: true }, labels: [label] });
      });
    }
  }
  return [...byWord.values()].map(({ hint, labels }) => ({ ...hint, label: labels.join(' | ') }));
}

import { readFileSync } from 'node:fs';
import { parseCommandWords } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';

export function shellWords(s: string): string[] {
  const out: string[] = []; let cur = ''; let has = false; let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') { if (has) { out.push(cur); cur = ''; has = false; } i++; continue; }
    has = true;
    if (c === "'") { const j = s.indexOf("'", i + 1); cur += s.slice(i + 1, j); i = j + 1; continue; }
    if (c === '"') { i++; while (s[i] !== '"') { if (s[i] === '\\' && '"\\$`'.includes(s[i + 1])) i++; cur += s[i++]; } i++; continue; }
    if (c === '\\') { cur += s[i + 1]; i += 2; continue; }
    cur += c; i++;
  }
  if (has) out.push(cur);
  return out;
}
const zero = { line: 0, character: 0 };
let agree = 0, disagree = 0;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const [fam, table, chain, rule, res, save] = line.split('\t');
  const words = ['-A', chain, ...shellWords(rule)].map((text) => ({ text, range: { start: zero, end: zero } }));
  const { command, problems } = parseCommandWords(words, { family: Number(fam) as 4 | 6, table, origin: 'shell' });
  const errors = problems.filter((p) => p.severity === 'error');
  const ours = errors.length ? 'FAIL' : 'OK';
  const printed = errors.length ? errors.map((e) => `${e.code} ${e.message.en}`).join('; ') : formatRule(command).replace(`-A ${chain} `, '').replace(`-A ${chain}`, '');
  if (ours === res && (res === 'FAIL' || printed === save)) { agree++; continue; }
  disagree++;
  console.log(`v${fam} ${table}/${chain}: ${rule}\n   real ${res} ${save}\n   ours ${ours} ${printed}`);
}
console.log(`${agree} agree, ${disagree} disagree`);

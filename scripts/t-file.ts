// Runs a netfilter .t file through our parser and printer and lists the lines where we disagree
// with the file's expectation (accept/reject and the canonical save line). A developer's tool;
// the automated proof against the real iptables lives in test/conformance/.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseRuleArgs } from '../server/src/syntax/commandLine';
import { formatRule } from '../server/src/model/printer';

let agree = 0, disagree = 0;
for (const file of process.argv.slice(2)) {
  const name = basename(file);
  const families: (4 | 6)[] = name.startsWith('libip6t_') ? [6] : name.startsWith('libxt_') ? [4, 6] : [4];
  let chains = ['INPUT'];
  let table = 'filter';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@') || line.startsWith('%')) continue;
    if (line.startsWith(':')) { chains = line.slice(1).split(','); continue; }
    if (line.startsWith('*')) { table = line.slice(1); continue; }
    const [rule, expected, result] = line.split(';');
    for (const family of families) {
      for (const chain of chains) {
        const { command, problems } = parseRuleArgs(`-A ${chain} ${rule}`, { family, table });
        const errors = problems.filter((p) => p.severity === 'error');
        const wantOk = result === 'OK';
        const printed = errors.length ? '' : formatRule(command);
        const want = `-A ${chain} ${expected === '=' ? rule : expected}`;
        const good = wantOk ? errors.length === 0 && printed === want : errors.length > 0;
        if (good) { agree++; continue; }
        disagree++;
        console.log(`${name} v${family} ${chain}: ${rule}\n   expected ${wantOk ? want : 'FAIL'}\n   ours     ${errors.length ? 'FAIL: ' + errors.map((e) => `${e.code} ${e.message.en}`).join('; ') : printed}`);
      }
    }
  }
}
console.log(`${agree} agree, ${disagree} disagree`);

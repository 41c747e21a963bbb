// Prints our verdict for probe lines in the same shape as probe.sh.
import { readFileSync } from 'node:fs';
import { parseRuleArgs } from '../../../server/src/syntax/commandLine';
import { formatRule } from '../../../server/src/model/printer';
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.includes('|'));
for (const line of lines) {
  const [fam, table, chain0, ...rest] = line.split('|');
  const rule = rest.join('|');
  const chain = chain0 === 'USER' ? 'USERC' : chain0;
  const family = fam.startsWith('6') ? 6 : 4;
  const { command, problems } = parseRuleArgs(`-A ${chain} ${rule}`, { family: family as 4 | 6, table });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) { console.log(`FAIL [${fam} ${table} ${chain}] ${rule}`); console.log(`     !! ${errors.map((e) => e.message.en).join(' | ')}`); }
  else { console.log(`OK   [${fam} ${table} ${chain}] ${rule}`); console.log(`     => ${formatRule(command)}`); }
}

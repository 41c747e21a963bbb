import { spawnSync } from 'node:child_process';
import { evaluateShell } from '../../../server/src/syntax/shell/index';
const pieces = ['iptables', '-A', '$X', '"$X"', "'q'", '"a b"', 'if', 'then', 'elif', 'else', 'fi', 'for', 'x', 'in', 'do', 'done', 'while', 'case', 'esac', ';;', 'y)', 'f()', '{', '}', '(', ')', '&&', '||', '|', ';', '&', '\n', '\n', '\n', '>', 'out', '2>&1', '#c', 'true', '!', 'X=1', '$(echo)', '`date`', '${X:-d}'];
let seed = Number(process.env.SEED ?? 1);
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
let fp = 0, fn = 0, n = 0;
for (let k = 0; k < 4000; k++) {
  const len = 2 + Math.floor(rnd() * 14);
  const text = Array.from({ length: len }, () => pieces[Math.floor(rnd() * pieces.length)]).join(' ') + '\n';
  const ok = spawnSync("bash", ["-n"], { input: text }).status === 0;
  const errs = evaluateShell(text).problems.filter((p) => p.severity === 'error');
  n++;
  if (ok && errs.length) { fp++; if (fp <= 12) console.log('FALSE POSITIVE', JSON.stringify(text), errs.map((e) => e.message.en)); }
  if (!ok && !errs.length) { fn++; if (fn <= 12) console.log('MISSED', JSON.stringify(text)); }
}
console.log({ n, fp, fn });

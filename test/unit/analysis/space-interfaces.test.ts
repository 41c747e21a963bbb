// Interface patterns as atoms: for any set of patterns (`eth0`, `eth+`, `+`), every concrete
// interface name falls in exactly one atom, and a pattern matches the name (iptables(8): a name
// ending in "+" matches every interface whose name starts with what precedes it) exactly when
// the pattern's set holds that atom. Example names stand for their atom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InterfaceAtoms } from '../../../server/src/analysis/space';

const NAMES = ['e', 'et', 'eth', 'eth0', 'eth1', 'eth10', 'ethz', 'ethzz9', 'ppp0', 'lo', 'wlan0', 'other0'];
const arbPattern = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES).map((n) => `${n}+`), fc.constant('+'));

const matches = (pattern: string, name: string) => (pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);

test('every interface name is in exactly one atom, and patterns match by atom', () => {
  fc.assert(fc.property(fc.uniqueArray(arbPattern, { maxLength: 6 }), fc.array(arbPattern, { minLength: 1, maxLength: 4 }), (declared, asked) => {
    const atoms = new InterfaceAtoms(declared);
    const patterns = [...declared, ...asked.filter((p) => declared.includes(p) || p === '+')];
    const sets = patterns.map((p) => atoms.set(p));
    for (const name of [...NAMES, 'eth0zz', 'wlan9']) {
      // The atoms that agree with `name` on every declared pattern.
      const agree = [...Array(Number(atoms.max) + 1).keys()].filter((k) => patterns.every((p, i) => sets[i].has(BigInt(k)) === matches(p, name)));
      assert.ok(agree.includes(atoms.atomOf(name)), `atom of ${name} with ${declared}`);
    }
    // Each atom stands for real names: its example name matches exactly the patterns holding the atom.
    for (let k = 0; k <= Number(atoms.max); k++) {
      const ex = atoms.example(k);
      patterns.forEach((p, i) => assert.equal(sets[i].has(BigInt(k)), matches(p, ex), `atom ${k} (${ex}) vs ${p}, declared ${declared}`));
    }
  }), { numRuns: 2000 });
});

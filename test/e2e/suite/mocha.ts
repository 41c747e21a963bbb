// Entry for @vscode/test-cli (mocha, tdd interface): the same cases as index.ts, one mocha test each.
import { defineTests } from './cases';
import { note, Skip } from './harness';

interface MochaContext { skip(): never; timeout(ms: number): void }
declare function suite(name: string, fn: (this: MochaContext) => void): void;
declare function test(name: string, fn: (this: MochaContext) => Promise<void>): void;

suite('iptables extension, end to end', function () {
  this.timeout(120000);
  defineTests({
    note,
    test: (name, fn) =>
      test(name, async function () {
        try {
          await fn();
        } catch (e) {
          if (e instanceof Skip) {
            note(`skip - ${name}: ${e.message}`);
            this.skip();
          }
          throw e;
        }
      }),
  });
});

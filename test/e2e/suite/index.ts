// Entry point for VS Code's extensionTestsPath (the code-server harness, or @vscode/test-electron's
// runTests): VS Code calls run() in the extension host; resolving means success, rejecting failure.
import * as fs from 'node:fs';
import { defineTests } from './cases';
import { note, RESULTS_FILE, runAll } from './harness';

export async function run(): Promise<void> {
  fs.writeFileSync(RESULTS_FILE, '');
  const { passed, failed, skipped } = await runAll(defineTests);
  note(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (failed) throw new Error(`${failed} end-to-end case(s) failed; see ${RESULTS_FILE}`);
}

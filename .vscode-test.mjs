// Runs test/e2e/suite in desktop VS Code with @vscode/test-cli, on machines that can download VS Code
// (these cannot: there, test/e2e/run.sh runs the same cases in code-server). Before: npm run build &&
// node test/e2e/build-suite.mjs; then: npx @vscode/test-cli (add it with npm install --save-dev).
import { defineConfig } from '@vscode/test-cli';

const common = {
  files: '.e2e/build/suite/mocha.cjs',
  workspaceFolder: './examples',
  mocha: { ui: 'tdd', timeout: 120000 },
};
export default defineConfig([
  { ...common, label: 'en', launchArgs: ['--locale', 'en'], env: { E2E_EXPECT_LANGUAGE: 'en' } },
  // VS Code shows Japanese only with the Japanese language pack installed.
  { ...common, label: 'ja', installExtensions: ['MS-CEINTL.vscode-language-pack-ja'], launchArgs: ['--locale', 'ja'], env: { E2E_EXPECT_LANGUAGE: 'ja' } },
]);

// Bundles the extension-host suite (TypeScript) into CommonJS files VS Code can load:
//   .e2e/build/suite/index.cjs  (run() for extensionTestsPath)   .e2e/build/suite/mocha.cjs  (@vscode/test-cli)
// .cjs because the root package.json says "type": "module".
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
await build({
  entryPoints: { index: join(root, 'test/e2e/suite/index.ts'), mocha: join(root, 'test/e2e/suite/mocha.ts') },
  outdir: join(root, '.e2e/build/suite'),
  outExtension: { '.js': '.cjs' },
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', external: ['vscode'], logLevel: 'warning',
});

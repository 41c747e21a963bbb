// Bundles the extension client, the language server and the CLI with esbuild into dist/.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await Promise.all([
  // The extension and the server ship in the .vsix: minified (source maps kept for stack traces).
  build({ ...common, minify: true, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.cjs', external: ['vscode'] }),
  // No keepNames: it wraps every closure the engine creates in a naming call (source maps name frames).
  build({ ...common, minify: true, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.cjs' }),
  build({ ...common, entryPoints: ['server/src/cli-entry.ts'], outfile: 'dist/cli.cjs' }),
]);

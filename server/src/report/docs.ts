// Where each code's documentation lives: docs/checks/<CODE>.md, shipped with the extension and
// the CLI (dist/../docs). A file: URI works offline, in VS Code and in terminals that link paths.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let docsRoot: string | undefined;

function root(): string {
  if (docsRoot) return docsRoot;
  // Bundled: dist/*.cjs -> ../docs. From source (tests): server/src/report -> ../../../docs.
  const base = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (const candidate of [join(base, '..', 'docs'), join(base, '..', '..', '..', 'docs'), join(process.cwd(), 'docs')]) {
    if (existsSync(join(candidate, 'checks'))) return (docsRoot = candidate);
  }
  return (docsRoot = join(base, '..', 'docs'));
}

export function docsUrl(code: string): string {
  return pathToFileURL(join(root(), 'checks', `${code}.md`)).href;
}

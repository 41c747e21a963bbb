// SARIF 2.1.0 output that GitHub code scanning accepts.
import type { Lang, Problem } from '../syntax/ast';
import { allCodes } from '../checks/index';

const LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

export function toSarif(files: { path: string; problems: Problem[] }[], lang: Lang, version: string): object {
  const codes = allCodes();
  const index = new Map(codes.map((c, i) => [c.code, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'iptables-lint',
          version,
          rules: codes.map((c) => ({
            id: c.code,
            name: c.name,
            shortDescription: { text: c.summary[lang] },
            defaultConfiguration: { level: LEVEL[c.severity] },
          })),
        },
      },
      results: files.flatMap(({ path, problems }) => problems.map((p) => ({
        ruleId: p.code,
        ...(index.has(p.code) ? { ruleIndex: index.get(p.code) } : {}),
        level: LEVEL[p.severity],
        message: { text: p.message[lang] },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: path === '-' ? 'stdin' : path.replace(/\\/g, '/').replace(/^\.\//, '') },
            region: {
              startLine: p.range.start.line + 1, startColumn: p.range.start.character + 1,
              endLine: p.range.end.line + 1, endColumn: p.range.end.character + 1,
            },
          },
        }],
      }))),
    }],
  };
}

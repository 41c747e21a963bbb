// One analysis per document version, computed on demand and shared by every feature.
import { analyze, type Analysis } from '../engine';
import type { LintConfig } from '../config';

export interface DocumentInput { uri: string; languageId: string; version: number; text: string }

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; config: LintConfig; analysis: Analysis }>();

  constructor(private config: LintConfig) {}

  setConfig(config: LintConfig): void {
    this.config = config;
    this.entries.clear();
  }

  get(doc: DocumentInput): Analysis {
    const hit = this.entries.get(doc.uri);
    if (hit && hit.version === doc.version && hit.config === this.config) return hit.analysis;
    const analysis = analyze(doc.text, { kind: doc.languageId === 'iptables' ? 'save' : 'shell', path: uriPath(doc.uri), config: this.config });
    this.entries.set(doc.uri, { version: doc.version, config: this.config, analysis });
    return analysis;
  }

  peek(uri: string): Analysis | undefined { return this.entries.get(uri)?.analysis; }
  delete(uri: string): void { this.entries.delete(uri); }
}

/** Is this a document the server should speak about? A shell script with no iptables in it is not. */
export function isRelevant(a: Analysis): boolean {
  return a.kind === 'save' || a.commands.length > 0 || a.saves.length > 0;
}

function uriPath(uri: string): string {
  try { return decodeURIComponent(new URL(uri).pathname); } catch { return uri; }
}

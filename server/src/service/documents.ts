// One analysis per document version, computed on demand and shared by every feature.
import { analyze, detectKind, type Analysis, type DocumentKind } from '../engine';
import { Ruleset } from '../model/ruleset';
import type { LintConfig } from '../config';
import { LineCache } from '../syntax/lineCache';

export interface DocumentInput { uri: string; languageId: string; version: number; text: string }

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; config: LintConfig; analysis: Analysis }>();
  /** Parsed lines of each open document, reused by the next analysis (parsing needs no config). */
  private readonly lines = new Map<string, LineCache>();
  /** Called when the engine throws on a document (a bug): the server logs it and keeps going. */
  onError?: (uri: string, error: unknown) => void;

  constructor(private config: LintConfig) {}

  setConfig(config: LintConfig): void {
    this.config = config;
    this.entries.clear();
  }

  get(doc: DocumentInput): Analysis {
    const hit = this.entries.get(doc.uri);
    if (hit && hit.version === doc.version && hit.config === this.config) return hit.analysis;
    return this.replace(doc);
  }

  /** Drops the old analysis before making the new one: on a 70k-line file each is hundreds of MB. */
  private replace(doc: DocumentInput): Analysis {
    const lastProblems = this.entries.get(doc.uri)?.analysis.problems ?? [];
    this.entries.delete(doc.uri);
    const kind = kindFor(doc.languageId, doc.text);
    let analysis: Analysis;
    try {
      let lineCache = this.lines.get(doc.uri);
      if (!lineCache) this.lines.set(doc.uri, lineCache = new LineCache());
      analysis = analyze(doc.text, { kind, path: uriPath(doc.uri), config: this.config, lineCache });
    } catch (e) {
      this.lines.delete(doc.uri); // it may hold half-made entries
      // Never crash and never blank the editor: the last problems stay shown.
      this.onError?.(doc.uri, e);
      analysis = { ...emptyAnalysis(doc.text, kind, this.config), problems: lastProblems };
    }
    this.entries.set(doc.uri, { version: doc.version, config: this.config, analysis });
    return analysis;
  }

  peek(uri: string): Analysis | undefined { return this.entries.get(uri)?.analysis; }
  delete(uri: string): void { this.entries.delete(uri); this.lines.delete(uri); }
}

/** `iptables` documents are save files, shell scripts are scripts; anything else is told by its text. */
export function kindFor(languageId: string, text: string): DocumentKind {
  if (languageId === 'iptables') return 'save';
  if (languageId === 'shellscript' || languageId === 'sh' || languageId === 'bash') return 'shell';
  return detectKind(text);
}

function emptyAnalysis(text: string, kind: DocumentKind, config: LintConfig): Analysis {
  return { kind, text, commands: [], rulesets: { 4: new Ruleset(4), 6: new Ruleset(6) }, families: [], problems: [], saves: [], comments: [], config };
}

/** Is this a document the server should speak about? A shell script with no iptables in it is not. */
export function isRelevant(a: Analysis): boolean {
  return a.kind === 'save' || a.commands.length > 0 || a.saves.length > 0;
}

function uriPath(uri: string): string {
  try { return decodeURIComponent(new URL(uri).pathname); } catch { return uri; }
}

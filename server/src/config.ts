// Settings that change what the checks report: from a project file (.iptables-lint.json searched
// up the tree by the CLI), or from VS Code settings through the language server.
import type { Severity } from './syntax/ast';

export interface LintConfig {
  /** TCP ports the admin manages the host through (SSH by default). */
  managementPorts: number[];
  /** Source ranges the admin trusts (exposure checks do not count them as "the world"). */
  trustedSources: string[];
  /** Per-code severity, or 'off'. */
  severity: Record<string, Severity | 'off'>;
}

export const DEFAULT_CONFIG: LintConfig = { managementPorts: [22], trustedSources: [], severity: {} };

/** Reads a partial config (JSON from a file or the editor), ignoring what is malformed. */
export function mergeConfig(base: LintConfig, raw: unknown): LintConfig {
  if (!raw || typeof raw !== 'object') return base;
  const r = raw as Record<string, unknown>;
  const ports = Array.isArray(r.managementPorts) ? r.managementPorts.filter((p): p is number => Number.isInteger(p) && p >= 1 && p <= 65535) : undefined;
  const trusted = Array.isArray(r.trustedSources) ? r.trustedSources.filter((s): s is string => typeof s === 'string') : undefined;
  const sev: Record<string, Severity | 'off'> = { ...base.severity };
  if (r.severity && typeof r.severity === 'object') {
    for (const [code, v] of Object.entries(r.severity as Record<string, unknown>)) {
      if (typeof v === 'string' && ['error', 'warning', 'info', 'hint', 'off'].includes(v)) sev[code.toUpperCase()] = v as Severity | 'off';
    }
  }
  return { managementPorts: ports?.length ? ports : base.managementPorts, trustedSources: trusted ?? base.trustedSources, severity: sev };
}

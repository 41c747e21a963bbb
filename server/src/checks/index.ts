// The registry of checks. Adding a check = one file in this folder + one line here + its docs page.
import type { Analysis } from '../engine';
import { loc, type Problem, type Severity } from '../syntax/ast';
import type { CheckDef } from './types';
import { VALIDITY_CODES, type CodeInfo } from './validity-codes';
import { icmpv6Blocked } from './IPT207-icmpv6-blocked';
import { unresolvedVariable } from './IPT115-unresolved-variable';
import { placeholderAddress } from './IPT116-placeholder-address';
import { policyBeforeManagementAllow } from './IPT201-policy-before-management-allow';
import { broadPortRange } from './IPT301-broad-port-range';
import { managementLockedOut } from './IPT202-management-locked-out';
import { flushUnderDropPolicy } from './IPT203-flush-under-drop-policy';
import { missingEstablished } from './IPT204-missing-established';
import { missingLoopback } from './IPT205-missing-loopback';
import { ipv6LeftOpen } from './IPT206-ipv6-left-open';
import { sensitivePortOpenToWorld } from './IPT302-sensitive-port-open-to-world';
import { acceptEverything } from './IPT303-accept-everything';
import { publishedPortBypassesInput } from './IPT304-published-port-bypasses-input';
import { stateMatchDeprecated } from './IPT501-state-match-deprecated';
import { logWithoutLimit } from './IPT502-log-without-limit';
import { manySingleAddressRules } from './IPT503-many-single-address-rules';
import { scriptNotAtomic } from './IPT504-script-not-atomic';
import { shadowedRule } from './IPT401-shadowed-rule';
import { redundantRule } from './IPT402-redundant-rule';
import { unreachableAfterCatchAll } from './IPT403-unreachable-after-catch-all';
import { duplicateRule } from './IPT404-duplicate-rule';
import { unusedChain } from './IPT405-unused-chain';
import { establishedLate } from './IPT406-established-late';

export const CHECKS: CheckDef[] = [
  unresolvedVariable, placeholderAddress,
  policyBeforeManagementAllow, managementLockedOut, flushUnderDropPolicy, missingEstablished, missingLoopback, ipv6LeftOpen, icmpv6Blocked,
  broadPortRange, sensitivePortOpenToWorld, acceptEverything, publishedPortBypassesInput,
  stateMatchDeprecated, logWithoutLimit, manySingleAddressRules, scriptNotAtomic,
  shadowedRule, redundantRule, unreachableAfterCatchAll, duplicateRule, unusedChain, establishedLate,
];

/** Every code the linter can report, with its name and default severity. */
export function allCodes(): CodeInfo[] {
  const fromChecks = CHECKS.map(({ code, name, severity, summary }) => ({ code, name, severity, summary }));
  return [...VALIDITY_CODES.filter((v) => !CHECKS.some((c) => c.code === v.code)), ...fromChecks].sort((a, b) => a.code.localeCompare(b.code));
}

const byCode = new Map<string, CodeInfo>();
export function codeInfo(code: string): CodeInfo | undefined {
  if (!byCode.size) for (const c of allCodes()) byCode.set(c.code, c);
  return byCode.get(code);
}

/** Runs every check; one that fails reports IPT000 for itself and the others still report. */
export function runChecks(analysis: Analysis, timings?: Record<string, number>): Problem[] {
  const out: Problem[] = [];
  for (const check of CHECKS) {
    const started = timings ? performance.now() : 0;
    try {
      for (const f of check.run(analysis)) out.push({ code: check.code, severity: check.severity, ...f });
      if (timings) timings[check.code] = performance.now() - started;
    } catch (e) {
      out.push({
        code: 'IPT000', severity: 'error', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: loc(`internal error in check ${check.code} (${check.name}): ${(e as Error).message}; the other checks ran`, `チェック ${check.code}（${check.name}）で内部エラーが発生しました：${(e as Error).message}（他のチェックは実行済み）`),
      });
    }
  }
  return out;
}

/** Applies the configured severities ('off' removes the problem). */
export function configureSeverity(problems: Problem[], severity: Record<string, Severity | 'off'>): Problem[] {
  const out: Problem[] = [];
  for (const p of problems) {
    const s = severity[p.code];
    if (s === 'off') continue;
    out.push(s ? { ...p, severity: s } : p);
  }
  return out;
}

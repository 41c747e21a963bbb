// Jump loops. iptables refuses a rule whose jump closes a loop of chains that a built-in chain
// reaches, or that lets a built-in chain reach an existing loop: "RULE_APPEND failed (Too many
// links)" (checked with iptables 1.8.9, nf_tables, in a network namespace; iptables-restore
// --test accepts such a file, the real restore fails). A loop among chains no built-in chain
// reaches is accepted.
import type { Chain, Table } from './ruleset';
import { reachedFromBuiltin, userCallee } from './hooks';

/**
 * The loop (chain names, first and last the same) that a new jump `from -> to` would make
 * reachable from a built-in chain of `t`, or undefined. Only user chains are followed: a jump to a
 * built-in chain is refused anyway (IPT108).
 */
export function loopMadeBy(t: Table, from: string, to: string): string[] | undefined {
  // Most jumps go to a chain that jumps nowhere (kube-proxy's KUBE-MARK-MASQ, a LOG-and-DROP
  // chain), or come from a chain no built-in chain reaches yet (hooks.ts keeps that up to date).
  if (!reachedFromBuiltin(t, from)) return undefined;
  if (from !== to && !jumpsToUserChain(t, t.chains.get(to))) return undefined;
  return loopBelow(t, from, to);
}

function jumpsToUserChain(t: Table, c: Chain | undefined): boolean {
  for (const r of c?.rules ?? []) if (userCallee(t, r.command)) return true;
  return false;
}

/** User chains the rules of `c` jump or go to (plus `to` when `c` is `from`: the new jump). */
function calleesOf(t: Table, c: Chain, from: string, to: string): string[] {
  const out = new Set<string>();
  if (c.name === from) out.add(to);
  for (const r of c.rules) {
    const callee = userCallee(t, r.command);
    if (callee) out.add(callee);
  }
  return [...out];
}

/** A loop reachable from `to` once `from -> to` exists (iterative: chains may nest thousands deep). */
function loopBelow(t: Table, from: string, to: string): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: { name: string; callees: string[]; next: number }[] = [];
  const enter = (name: string): void => {
    const c = t.chains.get(name);
    state.set(name, 'open');
    stack.push({ name, callees: c ? calleesOf(t, c, from, to) : [], next: 0 });
  };
  enter(to);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next === top.callees.length) {
      state.set(top.name, 'done');
      stack.pop();
      continue;
    }
    const callee = top.callees[top.next++];
    const s = state.get(callee);
    if (s === 'open') {
      const at = stack.findIndex((f) => f.name === callee);
      return [...stack.slice(at).map((f) => f.name), callee];
    }
    if (s === undefined) enter(callee);
  }
  return undefined;
}


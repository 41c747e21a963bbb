// What iptables-restore refuses at COMMIT about a table's chains as a whole: a jump loop that a
// built-in chain reaches (loops.ts), or a restricted target or match in a user chain that a
// built-in chain forbidding it reaches (hooks.ts). One pass over the table with chain numbers and
// typed arrays. Only when this
// finds something is the block replayed rule by rule to name the lines (build.ts).
import type { Table } from './ruleset';
import { chainBit } from '../knowledge/tables';

export function tableHasChainFault(t: Table): boolean {
  const chains = [...t.chains.values()];
  const id = new Map<string, number>();
  chains.forEach((c, i) => id.set(c.name, i));
  // Jump edges in compressed rows, and per chain what its restricted rules allow (all bits: no restriction).
  const start = new Int32Array(chains.length + 1);
  const allowed = new Int32Array(chains.length).fill(-1);
  const targets: number[] = [];
  for (let i = 0; i < chains.length; i++) {
    start[i] = targets.length;
    for (const r of chains[i].rules) {
      const cmd = r.command;
      if (cmd.hookMask) allowed[i] &= cmd.hookMask;
      // hooks.ts userCallee, with one map lookup instead of two (this runs on every rule of every analysis).
      const target = cmd.target;
      if (!target || target.nameWord?.symbolic) continue;
      const j = id.get(target.name);
      if (j !== undefined && !chains[j].builtin) targets.push(j);
    }
  }
  start[chains.length] = targets.length;
  // Which built-in chains reach each chain, and whether a walk from one meets a chain still open (a loop).
  const reached = new Int32Array(chains.length);
  const state = new Uint8Array(chains.length); // 0 unseen, 1 open, 2 done
  const stack: number[] = [];
  const next: number[] = [];
  for (let b = 0; b < chains.length; b++) {
    if (!chains[b].builtin) continue;
    const bit = chainBit(chains[b].name);
    state.fill(0);
    stack.push(b); next.push(start[b]); state[b] = 1; reached[b] |= bit;
    while (stack.length) {
      const top = stack.length - 1, c = stack[top];
      if (next[top] === start[c + 1]) { state[c] = 2; stack.pop(); next.pop(); continue; }
      const callee = targets[next[top]++];
      if (state[callee] === 1) return true;
      if (state[callee] === 0) { state[callee] = 1; reached[callee] |= bit; stack.push(callee); next.push(start[callee]); }
    }
  }
  for (let i = 0; i < chains.length; i++) if (!chains[i].builtin && reached[i] & ~allowed[i]) return true;
  return false;
}

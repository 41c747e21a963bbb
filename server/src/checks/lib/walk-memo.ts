// The walks of reach.ts, kept per chain. Within one question each chain is walked once (before,
// two jumps per level made 32 levels of chains cost 2^32 walks, and a jump loop hung the checks).
// IPT201 replays a script command by command and asks after each one what INPUT does to the
// admin's SSH packets; walking INPUT from its first rule every time was quadratic (a script of
// 5,000 `iptables -A INPUT -j CHAIN_n`: 9 s). Scripts mostly append, so a kept walk resumes at its
// chain's first new rule; any other change to a chain starts its walk again, and those of its callers.
import type { IptablesCommand } from '../../syntax/ast';
import type { Outcome, Walk } from './reach';

/** How far a chain was walked for the memo's probe. */
export interface ChainProgress {
  /** Index of the first rule not walked yet. */
  next: number;
  /** Outcomes of the rules walked (without the chain's end: policy or return). */
  outcomes: Set<Outcome>;
  /** Set when a rule certainly decided: later rules never run. */
  ended?: Walk;
}

/** Walks of one table's chains for one probe, valid while the ruleset only changes through `after`. */
export class WalkMemo {
  private readonly progress = new Map<string, ChainProgress>();
  /** chain -> chains whose walk went into it (may name walks forgotten since: harmless). */
  private readonly callers = new Map<string, Set<string>>();
  /** Chains being walked, outermost first: meeting one again is a loop. */
  readonly path = new Set<string>();
  /** Set when a walk met a loop or the depth limit; verdict() then answers "maybe" and calls reset(). */
  aborted = false;

  constructor(readonly table: string) {}

  get(chain: string): ChainProgress | undefined {
    return this.progress.get(chain);
  }

  keep(chain: string, p: ChainProgress): void {
    this.progress.set(chain, p);
  }

  /** The walk of `caller` went into `callee`: a change to `callee` makes it stale. */
  calls(caller: string, callee: string): void {
    let set = this.callers.get(callee);
    if (!set) this.callers.set(callee, (set = new Set()));
    set.add(caller);
  }

  /** Forget what `cmd` (just applied to the ruleset) may have made stale. */
  after(cmd: IptablesCommand): void {
    // The model ignores these (ruleset.ts applyCommand): nothing changed.
    if (cmd.invalid || cmd.skipped || !cmd.op || cmd.chainWord?.symbolic || cmd.tableWord?.symbolic) return;
    if (cmd.table !== this.table) return;
    switch (cmd.op) {
      case 'A': return this.appended(cmd.chain!);
      case 'C': case 'L': case 'S': case 'Z': case 'P': return; // policies are read at the end of each walk
      case 'E':
        this.changed(cmd.chain!);
        if (cmd.newName !== undefined) this.changed(cmd.newName);
        return;
      default:
        if (cmd.chain === undefined) return this.reset(); // -F or -X of every chain
        return this.changed(cmd.chain);
    }
  }

  private appended(chain: string): void {
    this.dropCallers(chain);
  }

  private changed(chain: string): void {
    this.progress.delete(chain);
    this.dropCallers(chain);
  }

  private dropCallers(chain: string): void {
    const set = this.callers.get(chain);
    if (!set) return;
    this.callers.delete(chain);
    for (const caller of set) if (this.progress.delete(caller)) this.dropCallers(caller);
  }

  reset(): void {
    this.progress.clear();
    this.callers.clear();
    this.path.clear();
    this.aborted = false;
  }
}

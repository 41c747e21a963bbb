// The kernel lab: two network namespaces joined by two veth pairs.
//   P (peer)  kp0 ────── IIF  D (device under test)  — packets "in" arrive here
//             kp1 ────── OIF                          — D's default route: forwarded packets, replies
// Rules are loaded into D with the real iptables-restore (or a script run inside D); P sends crafted
// Ethernet frames on kp0; D sends its own packets for the OUTPUT path. Per packet we read D's rule
// counters (iptables-save -c) and an nftables observer at priority 1000 on input and postrouting,
// which counts only our tagged packets: it sees a packet only if every iptables table accepted it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ethernet, ipPacket } from './packets';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const AGENT = join(HERE, '..', 'agent.py');

export const INFRA = {
  d_out4: '198.18.255.1', p_out4: '198.18.255.2', d_in4: '198.18.254.1',
  d_out6: '2001:db8:ffff::1', p_out6: '2001:db8:ffff::2', d_in6: '2001:db8:fffe::1',
};

function sh(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

let skipMemo: string | false | undefined;
/** Why the lab cannot run here, or false. */
export function labSkipReason(): string | false {
  if (skipMemo !== undefined) return skipMemo;
  skipMemo = (() => {
    if (process.platform !== 'linux') return 'not Linux';
    if (process.getuid?.() !== 0) return 'not root (network namespaces need root)';
    for (const [bin, arg] of [['ip', '-V'], ['iptables', '--version'], ['ip6tables', '--version'], ['nft', '--version'], ['python3', '--version']] as const) {
      if (sh(bin, [arg]).status !== 0) return `${bin} is not installed (./dev deps)`;
    }
    const name = `iptlkq${process.pid % 100000}`;
    const r = sh('sh', ['-c', `ip netns add ${name} && ip link add name ${name}a netns ${name} type veth peer name ${name}b netns ${name} && ip netns exec ${name} iptables -S INPUT >/dev/null && echo ok; ip netns del ${name} 2>/dev/null`]);
    if (!r.stdout.includes('ok')) return `cannot build network namespaces with veth pairs here: ${r.stderr.trim().split('\n')[0]}`;
    return false;
  })();
  return skipMemo;
}

export const hasConntrackTool = () => sh('conntrack', ['--version']).status === 0;

class Agent {
  private proc: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: ((line: string) => void)[] = [];
  constructor(ns: string, capture: string[]) {
    this.proc = spawn('ip', ['netns', 'exec', ns, 'python3', '-u', AGENT, ...capture], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.proc.stderr.setEncoding('utf8').on('data', () => { /* ignored: answers carry errors */ });
  }
  request<T>(req: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent timeout on ${JSON.stringify(req).slice(0, 80)}`)), 120_000);
      this.waiting.push((line) => { clearTimeout(timer); resolve(JSON.parse(line) as T); });
      this.proc.stdin.write(JSON.stringify(req) + '\n');
    });
  }
  async run(argv: string[], input = ''): Promise<{ status: number; stdout: string; stderr: string }> {
    return this.request({ op: 'run', argv, input });
  }
  stop(): void {
    this.proc.stdin.write(JSON.stringify({ op: 'quit' }) + '\n');
    this.proc.stdin.end();
    setTimeout(() => { if (this.proc.exitCode === null) this.proc.kill('SIGKILL'); }, 2000).unref();
  }
}

export interface Counters {
  /** table -> chain -> per-rule packet counts, in chain order. */
  rules: Map<string, Map<string, number[]>>;
  /** table -> built-in chain -> packets decided by the policy. */
  policies: Map<string, Map<string, number>>;
  /** table/chain -> policy (ACCEPT or DROP). */
  policyName: Map<string, string>;
  /** Tagged packets seen by the observer: [input v4, input v6, postrouting v4, postrouting v6]. */
  observer: number[];
}

export function parseSaveCounters(text: string): Pick<Counters, 'rules' | 'policies' | 'policyName'> {
  const rules = new Map<string, Map<string, number[]>>(), policies = new Map<string, Map<string, number>>(), policyName = new Map<string, string>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) { table = line.slice(1).trim(); rules.set(table, new Map()); policies.set(table, new Map()); continue; }
    const p = /^:(\S+) (\S+) \[(\d+):\d+\]/.exec(line);
    if (p) { rules.get(table)!.set(p[1], []); if (p[2] !== '-') { policies.get(table)!.set(p[1], Number(p[3])); policyName.set(`${table}/${p[1]}`, p[2]); } continue; }
    const r = /^\[(\d+):\d+\] -A (\S+)/.exec(line);
    if (r) {
      const chains = rules.get(table)!;
      if (!chains.has(r[2])) chains.set(r[2], []);
      chains.get(r[2])!.push(Number(r[1]));
    }
  }
  return { rules, policies, policyName };
}

let counter = 0;

/** Counts our tagged packets after every iptables table has passed them (priority 1000 > nat's 100). */
const OBSERVER = `table inet iptlkobs {
  chain i { type filter hook input priority 1000; policy accept; ip id 0x5a5a counter; ip6 flowlabel 0x5a5a5 counter; }
  chain o { type filter hook postrouting priority 1000; policy accept; ip id 0x5a5a counter; ip6 flowlabel 0x5a5a5 counter; }
  chain f { type filter hook prerouting priority -1000; policy accept; ip id 0x5a5b counter drop; }
}`;

/** Sent right after each test frame and dropped before anything else sees it: once it is counted,
 * the test frame (queued before it on the same backlog) has been fully processed. */
const FENCE_ID = 0x5a5b;

export class Lab {
  readonly p: string;
  readonly d: string;
  private pa?: Agent;
  private da?: Agent;
  macs = { kp0: '', kp1: '', iif: '', oif: '' };

  constructor(public iif: string, public oif: string) {
    const id = `${process.pid}x${counter++}`;
    this.p = `iptlk${id}p`;
    this.d = `iptlk${id}d`;
  }

  async start(): Promise<void> {
    const { p, d, iif, oif } = this;
    const pre = (ns: string) => [
      `ip netns exec ${ns} sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0`,
    ];
    const script = [
      'set -e',
      `ip netns add ${p}`, `ip netns add ${d}`,
      ...pre(p), ...pre(d),
      `ip link add name kp0 netns ${p} type veth peer name kd0 netns ${d}`,
      `ip link add name kp1 netns ${p} type veth peer name kd1 netns ${d}`,
      `ip -n ${d} link set kd0 name ${iif}`, `ip -n ${d} link set kd1 name ${oif}`,
      // No multicast on the test links: no IGMP/MLD reports walking OUTPUT while we count.
      ...[iif, oif].map((x) => `ip -n ${d} link set ${x} multicast off`),
      ...['lo', iif, oif].map((x) => `ip -n ${d} link set ${x} up`),
      ...['kp0', 'kp1'].map((x) => `ip -n ${p} link set ${x} multicast off`),
      ...['lo', 'kp0', 'kp1'].map((x) => `ip -n ${p} link set ${x} up`),
      `ip -n ${d} addr add ${INFRA.d_out4}/30 dev ${oif}`, `ip -n ${p} addr add ${INFRA.p_out4}/30 dev kp1`,
      `ip -n ${d} addr add ${INFRA.d_in4}/30 dev ${iif}`,
      `ip -n ${d} addr add ${INFRA.d_out6}/64 dev ${oif} nodad`, `ip -n ${p} addr add ${INFRA.p_out6}/64 dev kp1 nodad`,
      `ip -n ${d} addr add ${INFRA.d_in6}/64 dev ${iif} nodad`,
      `ip netns exec ${d} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.${iif.replace(/\./g, '/')}.rp_filter=0 net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0`,
      `ip netns exec ${p} sysctl -qw net.ipv4.icmp_ratelimit=0`,
      // P only watches: its packet sockets see every frame, its stack answers none (no ICMP errors back into D).
      `ip netns exec ${p} nft 'add table inet sink; add chain inet sink pre { type filter hook prerouting priority -500; policy drop; }'`,
    ];
    const r = sh('sh', ['-c', script.join('\n')]);
    if (r.status !== 0) throw new Error(`lab setup failed: ${r.stderr.trim()}`);
    const mac = (ns: string, dev: string) => (JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show', dev]).stdout) as { address: string }[])[0].address;
    this.macs = { kp0: mac(p, 'kp0'), kp1: mac(p, 'kp1'), iif: mac(d, iif), oif: mac(d, oif) };
    const routes = [
      `ip -n ${d} neigh replace ${INFRA.p_out4} lladdr ${this.macs.kp1} dev ${oif} nud permanent`,
      `ip -n ${d} neigh replace ${INFRA.p_out6} lladdr ${this.macs.kp1} dev ${oif} nud permanent`,
      `ip -n ${d} route add default via ${INFRA.p_out4} dev ${oif}`,
      `ip -n ${d} -6 route add default via ${INFRA.p_out6} dev ${oif}`,
      `ip netns exec ${d} nft -f - <<'EOF'\n${OBSERVER}\nEOF`,
    ];
    const r2 = sh('sh', ['-c', ['set -e', ...routes].join('\n')]);
    if (r2.status !== 0) throw new Error(`lab routes failed: ${r2.stderr.trim()}`);
    this.pa = new Agent(p, ['kp0', 'kp1']);
    this.da = new Agent(d, []);
    // Conntrack sysctls appear once conntrack is in use in the namespace; set them when they exist.
    await this.da.run(['sh', '-c', 'sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1 2>/dev/null; true']);
  }

  get dut(): Agent { return this.da!; }

  /** Gives D's two links other names (rulesets match on interface names). */
  async rename(iif: string, oif: string): Promise<void> {
    if (iif === this.iif && oif === this.oif) return;
    const d = this.d;
    const a = `kta${counter++}`, b = `ktb${counter++}`;
    const script = [
      'set -e',
      `ip -n ${d} link set ${this.iif} down`, `ip -n ${d} link set ${this.oif} down`,
      `ip -n ${d} link set ${this.iif} name ${a}`, `ip -n ${d} link set ${this.oif} name ${b}`,
      `ip -n ${d} link set ${a} name ${iif}`, `ip -n ${d} link set ${b} name ${oif}`,
      `ip -n ${d} link set ${iif} multicast off`, `ip -n ${d} link set ${oif} multicast off`,
      `ip -n ${d} link set ${iif} up`, `ip -n ${d} link set ${oif} up`,
      // IPv6 addresses go when a link goes down: put them (and the IPv4 ones) back.
      `ip -n ${d} addr replace ${INFRA.d_out4}/30 dev ${oif}`, `ip -n ${d} addr replace ${INFRA.d_in4}/30 dev ${iif}`,
      `ip -n ${d} addr replace ${INFRA.d_out6}/64 dev ${oif} nodad`, `ip -n ${d} addr replace ${INFRA.d_in6}/64 dev ${iif} nodad`,
      `ip -n ${d} neigh replace ${INFRA.p_out4} lladdr ${this.macs.kp1} dev ${oif} nud permanent`,
      `ip -n ${d} neigh replace ${INFRA.p_out6} lladdr ${this.macs.kp1} dev ${oif} nud permanent`,
      `ip -n ${d} route replace default via ${INFRA.p_out4} dev ${oif}`,
      `ip -n ${d} -6 route replace default via ${INFRA.p_out6} dev ${oif}`,
      `ip netns exec ${d} sysctl -qw net.ipv4.conf.${iif.replace(/\./g, '/')}.rp_filter=0`,
    ];
    const r = sh('sh', ['-c', script.join('\n')]);
    if (r.status !== 0) throw new Error(`rename failed: ${r.stderr.trim()}`);
    this.iif = iif;
    this.oif = oif;
  }

  /** Empties every table of D (iptables' and ours), then puts the observer back. */
  async reset(): Promise<void> {
    await this.da!.run(['sh', '-c', 'nft flush ruleset && nft -f - && (conntrack -F >/dev/null 2>&1; true)'], OBSERVER);
    if (this.locals.length) {
      await this.da!.run(['ip', '-force', '-batch', '-'], this.locals.map((a) => `addr del ${a} dev lo`).join('\n') + '\n');
      this.locals = [];
    }
  }

  /** Addresses added to lo by addLocal (with their prefix). */
  locals: string[] = [];

  /** iptables-restore (or ip6tables-restore) of a whole file into D. */
  async restore(family: 4 | 6, text: string): Promise<{ ok: boolean; error: string }> {
    const r = await this.da!.run([family === 4 ? 'iptables-restore' : 'ip6tables-restore'], text);
    await this.da!.run(['sh', '-c', 'sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1 2>/dev/null; true']);
    return { ok: r.status === 0, error: r.stderr.trim() };
  }

  /** Runs a firewall script inside D (it only changes D's namespace). */
  async runScript(path: string): Promise<{ ok: boolean; error: string }> {
    const r = await this.da!.run(['sh', path]);
    await this.da!.run(['sh', '-c', 'sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1 2>/dev/null; true']);
    return { ok: r.status === 0, error: r.stderr.trim() };
  }

  async save(family: 4 | 6, counters = false): Promise<string> {
    return (await this.da!.run([family === 4 ? 'iptables-save' : 'ip6tables-save', ...(counters ? ['-c'] : [])])).stdout;
  }

  /** Makes addresses local to D (on lo), so packets to them take the INPUT path. */
  async addLocal(family: 4 | 6, addrs: string[]): Promise<void> {
    if (!addrs.length) return;
    const withPrefix = addrs.map((a) => `${a}/${family === 4 ? 32 : 128}`);
    const lines = withPrefix.map((a) => `addr add ${a} dev lo${family === 6 ? ' nodad' : ''}`).join('\n') + '\n';
    await this.da!.run(['ip', '-force', '-batch', '-'], lines);
    this.locals.push(...withPrefix);
    // IPv6 finishes adding an address (and its local route) in a kernel work queue, even with nodad:
    // wait until every new address has its route in the local table.
    if (family === 6) {
      for (let k = 0; k < 200; k++) {
        const r = await this.da!.run(['ip', '-6', 'route', 'show', 'table', 'local']);
        const have = new Set(r.stdout.split('\n').map((l) => /^local (\S+)/.exec(l)?.[1]).filter(Boolean));
        if (addrs.every((a) => have.has(a))) break;
        await new Promise((done) => setTimeout(done, 10));
      }
    }
  }

  async counters(family: 4 | 6): Promise<Counters> {
    let last = '';
    for (let attempt = 0; attempt < 4; attempt++) {
      const save = await this.da!.run([family === 4 ? 'iptables-save' : 'ip6tables-save', '-c']);
      const obs = await this.da!.run(['nft', 'list', 'table', 'inet', 'iptlkobs']);
      const observer = [...obs.stdout.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
      // A snapshot is complete when both commands worked; an empty ruleset saves as nothing at all.
      if (save.status === 0 && obs.status === 0 && observer.length === 5) return { ...parseSaveCounters(save.stdout), observer };
      last = `${save.stderr}${obs.stderr}`.trim();
    }
    throw new Error(`cannot read counters: ${last}`);
  }

  /** Fence packets counted so far. */
  private async fences(): Promise<number> {
    const obs = await this.da!.run(['nft', 'list', 'chain', 'inet', 'iptlkobs', 'f']);
    return Number(/counter packets (\d+)/.exec(obs.stdout)?.[1] ?? -1);
  }

  /** A frame from P into D's IIF, fenced; returns what P received on either link until D had processed it. */
  async sendIn(frame: Buffer, waitMs = 20): Promise<{ iface: string; frame: string }[]> {
    const before = await this.fences();
    const fence = ethernet(this.macs.iif, this.macs.kp0, 4, ipPacket(4, 0xc612fe02n, 0xc612fe01n, { proto: 17, sport: 9, dport: 9 }, 64, FENCE_ID));
    const r = await this.pa!.request<{ frames?: { iface: string; frame: string }[]; error?: string }>({ op: 'l2', iface: 'kp0', frame: frame.toString('hex'), fence: fence.toString('hex'), wait_ms: waitMs });
    if (r.error) throw new Error(r.error);
    const frames = r.frames ?? [];
    for (let k = 0; k < 200 && (await this.fences()) <= before; k++) {
      // Still queued: keep listening until the fence went through.
      const more = await this.pa!.request<{ frames?: { iface: string; frame: string }[] }>({ op: 'l2', iface: 'kp0', frame: '', wait_ms: 10 });
      frames.push(...(more.frames ?? []));
    }
    return frames;
  }

  /** A packet D itself sends (OUTPUT path); P's view of both links meanwhile. */
  async sendOut(family: 4 | 6, packet: Buffer, dst: string, waitMs = 25): Promise<void> {
    const r = await this.da!.request<{ error?: string }>({ op: 'l3', family, packet: packet.toString('hex'), dst, wait_ms: waitMs });
    if (r.error) throw new Error(r.error);
  }

  async conntrackInsert(args: string[]): Promise<{ ok: boolean; error: string }> {
    const r = await this.da!.run(['conntrack', '-I', ...args]);
    return { ok: r.status === 0, error: r.stderr.trim() };
  }

  async flushConntrack(): Promise<void> {
    await this.da!.run(['sh', '-c', 'conntrack -F >/dev/null 2>&1; true']);
  }

  stop(): void {
    this.pa?.stop();
    this.da?.stop();
    sh('sh', ['-c', `ip netns del ${this.p} 2>/dev/null; ip netns del ${this.d} 2>/dev/null; true`]);
  }
}

/** Removes namespaces a crashed earlier run of this suite left behind (ours only: iptlk prefix, dead pid). */
export function cleanStaleNamespaces(): void {
  if (!existsSync('/run/netns')) return;
  const list = sh('ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => /^iptlk\d+x\d+[pd]$/.test(n));
  for (const ns of list) {
    const pid = Number(/^iptlk(\d+)x/.exec(ns)![1]);
    let alive = true;
    try { process.kill(pid, 0); } catch { alive = false; }
    if (!alive) sh('ip', ['netns', 'del', ns]);
  }
}

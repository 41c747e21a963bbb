// A deterministic kube-proxy (iptables mode) dump in the form iptables-save prints it: KUBE-SERVICES
// dispatch, KUBE-SVC-* load balancing with `-m statistic --mode random --probability`, KUBE-SEP-*
// DNAT to endpoints, KUBE-MARK-MASQ, node ports (KUBE-EXT-*), services without endpoints (REJECT in
// filter), comments "ns/svc:port cluster IP". Same seed, same bytes.
import { createHash } from 'node:crypto';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['api', 'web', 'auth', 'cart', 'search', 'billing', 'users', 'orders', 'media', 'cache', 'queue', 'mail',
  'report', 'metrics', 'gateway', 'catalog', 'payment', 'profile', 'notify', 'admin', 'ledger', 'inventory'];
const NAMESPACES = ['default', 'kube-system', 'prod', 'staging', 'team-a', 'team-b', 'monitoring', 'ingress-nginx', 'data', 'ml'];
const PORTS: [string, string, number][] = [['http', 'tcp', 80], ['https', 'tcp', 443], ['grpc', 'tcp', 9090], ['metrics', 'tcp', 9100],
  ['dns', 'udp', 53], ['dns-tcp', 'tcp', 53], ['redis', 'tcp', 6379], ['pg', 'tcp', 5432], ['web', 'tcp', 8080], ['syslog', 'udp', 514]];

/** kube-proxy's chain naming: prefix + first 16 chars of base32(sha256(name + protocol)). */
function chainName(prefix: string, key: string): string {
  const digest = createHash('sha256').update(key).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    if (out.length >= 16) break;
  }
  return `${prefix}${out}`;
}

/** The probability as iptables-save prints it: the kernel keeps it as a 31-bit fraction. */
function probability(p: number): string {
  return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

export interface KubeDumpStats { lines: number; services: number; servicePorts: number; endpoints: number; chains: number }

export function generateKubeDump(targetLines = 70_000, seed = 20240601): { text: string; stats: KubeDumpStats } {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const clusterCidr = '10.244.0.0/16';
  const natChains = new Set<string>();
  const natRules = new Map<string, string[]>(); // chain -> rules, printed grouped like iptables-save
  const filterRules = { 'KUBE-SERVICES': [] as string[], 'KUBE-EXTERNAL-SERVICES': [] as string[] };
  const add = (chain: string, rule: string): void => {
    let list = natRules.get(chain);
    if (!list) natRules.set(chain, list = []);
    list.push(`-A ${chain} ${rule}`);
  };
  add('KUBE-MARK-MASQ', '-j MARK --set-xmark 0x4000/0x4000');
  add('KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN');
  add('KUBE-POSTROUTING', '-j MARK --set-xmark 0x4000/0x0');
  add('KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  const FIXED_LINES = 75; // headers, built-in chains, and the fixed kube-proxy rules below
  let lines = FIXED_LINES;
  let services = 0;
  let servicePorts = 0;
  let endpoints = 0;
  let nodePort = 30000;
  const used = new Set<string>();

  while (lines < targetLines) {
    const ns = pick(NAMESPACES);
    let svc = `${pick(WORDS)}-${pick(WORDS)}`;
    for (let k = 2; used.has(`${ns}/${svc}`); k++) svc = `${svc.replace(/-\d+$/, '')}-${k}`;
    used.add(`${ns}/${svc}`);
    services++;
    const clusterIp = `10.96.${Math.floor(services / 250) % 256}.${(services % 250) + 1}`;
    const nEndpoints = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * rand() * 8);
    const eps = Array.from({ length: nEndpoints }, () => `10.244.${Math.floor(rand() * 256)}.${2 + Math.floor(rand() * 250)}`);
    const ports = rand() < 0.25 ? [pick(PORTS), pick(PORTS)].filter((p, i, a) => a.findIndex((q) => q[0] === p[0]) === i) : [pick(PORTS)];
    const hasNodePort = rand() < 0.2;
    for (const [portName, proto, port] of ports) {
      servicePorts++;
      const name = `${ns}/${svc}:${portName}`;
      const targetPort = port === 80 || port === 443 ? 8080 + Math.floor(rand() * 3) : port;
      const np = hasNodePort ? nodePort++ : 0;
      if (eps.length === 0) {
        filterRules['KUBE-SERVICES'].push(`-A KUBE-SERVICES -d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} has no endpoints" -m ${proto} --dport ${port} -j REJECT --reject-with icmp-port-unreachable`);
        lines++;
        if (np) {
          filterRules['KUBE-EXTERNAL-SERVICES'].push(`-A KUBE-EXTERNAL-SERVICES -p ${proto} -m comment --comment "${name} has no endpoints" -m addrtype --dst-type LOCAL -m ${proto} --dport ${np} -j REJECT --reject-with icmp-port-unreachable`);
          lines++;
        }
        continue;
      }
      const svcChain = chainName('KUBE-SVC-', name + proto);
      natChains.add(svcChain);
      add('KUBE-SERVICES', `-d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j ${svcChain}`);
      add(svcChain, `! -s ${clusterCidr} -d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`);
      lines += 3;
      eps.forEach((ip, i) => {
        endpoints++;
        const ep = `${ip}:${targetPort}`;
        const sepChain = chainName('KUBE-SEP-', name + proto + ep);
        natChains.add(sepChain);
        const rest = eps.length - i;
        const stat = rest > 1 ? ` -m statistic --mode random --probability ${probability(1 / rest)}` : '';
        add(svcChain, `-m comment --comment "${name} -> ${ep}"${stat} -j ${sepChain}`);
        add(sepChain, `-s ${ip}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
        add(sepChain, `-p ${proto} -m comment --comment "${name}" -m ${proto} -j DNAT --to-destination ${ep}`);
        lines += 4;
      });
      if (np) {
        const extChain = chainName('KUBE-EXT-', name + proto);
        natChains.add(extChain);
        add('KUBE-NODEPORTS', `-p ${proto} -m comment --comment "${name}" -m ${proto} --dport ${np} -j ${extChain}`);
        add(extChain, `-m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`);
        add(extChain, `-j ${svcChain}`);
        lines += 4;
      }
    }
  }
  add('KUBE-SERVICES', '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');

  const out: string[] = [];
  const stamp = 'Sat Jun  1 12:00:00 2024';
  const header = (t: string): void => { out.push(`# Generated by iptables-save v1.8.9 (nf_tables) on ${stamp}`, `*${t}`); };
  const footer = (): void => { out.push('COMMIT', `# Completed on ${stamp}`); };

  header('mangle');
  out.push(':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-IPTABLES-HINT - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]', ':KUBE-PROXY-CANARY - [0:0]');
  footer();

  header('filter');
  out.push(':INPUT ACCEPT [1254893:812305410]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [1198772:301245877]',
    ':KUBE-EXTERNAL-SERVICES - [0:0]', ':KUBE-FIREWALL - [0:0]', ':KUBE-FORWARD - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]',
    ':KUBE-NODEPORTS - [0:0]', ':KUBE-PROXY-CANARY - [0:0]', ':KUBE-PROXY-FIREWALL - [0:0]', ':KUBE-SERVICES - [0:0]',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A INPUT -j KUBE-FIREWALL',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    ...filterRules['KUBE-EXTERNAL-SERVICES'],
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ...filterRules['KUBE-SERVICES']);
  footer();

  header('nat');
  const userChains = ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES', ...natChains].sort();
  out.push(':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    ...userChains.map((c) => `:${c} - [0:0]`),
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  // Rules grouped by chain in declaration order, as iptables-save prints them.
  for (const c of userChains) out.push(...(natRules.get(c) ?? []));
  footer();

  const text = `${out.join('\n')}\n`;
  return { text, stats: { lines: out.length, services, servicePorts, endpoints, chains: userChains.length + 8 } };
}

// Matches that pick a share of the packets: statistic (random or every nth packet), cpu (the CPU
// handling the packet) and cluster (this node's share of a load-sharing cluster).
import { loc, type Localized } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { exclusiveMessage, hasBadValue, requiredMessage, uintArg } from './xt-values';

const TWO31 = 2n ** 31n;

/** strtod's decimal forms (hex floats too), nothing after the number. */
function parseDouble(text: string): number | undefined {
  const t = text.replace(/^\s+/, '');
  if (/^[+-]?0[xX]/.test(t)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(t);
    if (!m || (m[2] === '' && !m[3])) return undefined;
    const frac = m[3] ?? '';
    const v = parseInt((m[2] || '0') + frac, 16) / 16 ** frac.length * 2 ** Number(m[4] ?? 0);
    return m[1] === '-' ? -v : v;
  }
  return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t) ? Number(t) : undefined;
}

/** The kernel's probability: round(p * 2^31) (lround). */
export const probabilityToFixed = (p: number): bigint => BigInt(Math.round(p * 2 ** 31));

/** printf("%.11f", k / 2^31) exactly, with printf's round-half-to-even on the exact value. */
export function formatProbability(k: bigint): string {
  const scaled = k * 10n ** 11n;
  let q = scaled / TWO31;
  const r2 = (scaled % TWO31) * 2n;
  if (r2 > TWO31 || (r2 === TWO31 && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(12, '0');
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

export const statisticMatch: ModuleDef = {
  name: 'statistic',
  kind: 'match',
  doc: loc(
    'Matches a share of the packets: at random with a probability, or every nth packet (a counter in the rule). Used for sampling and simple load balancing.',
    'パケットの一部に一致します: 確率によるランダム、または n 個ごと（ルール内のカウンタ）。サンプリングや簡単な負荷分散に使います。',
  ),
  options: [
    {
      name: 'mode', args: 1, argName: 'random|nth', values: ['random', 'nth'],
      parse: (a) => (a[0] === 'random' || a[0] === 'nth' ? ok(a[0]) : fail(`--mode takes random or nth, not "${a[0]}"`, `--mode には random か nth を指定します（"${a[0]}" は不可）`)),
      doc: loc('random: match with --probability; nth: match one packet in --every.', 'random: --probability の確率で一致。nth: --every 個に 1 個一致。'),
    },
    {
      name: 'probability', args: 1, negatable: true, argName: '0.0-1.0',
      parse: (a) => {
        const p = parseDouble(a[0]);
        return p === undefined || p < 0 || p > 1 ? fail(`--probability must be a number from 0 to 1, not "${a[0]}"`, `--probability は 0〜1 の数値で指定します（"${a[0]}" は不可）`) : ok(probabilityToFixed(p));
      },
      doc: loc('Probability of a match in random mode (steps of 1/2147483648; printed with 11 decimals).', 'random モードで一致する確率（1/2147483648 刻み。小数 11 桁で出力されます）。'),
    },
    {
      name: 'every', args: 1, negatable: true, argName: 'n', parse: uintArg('--every', 1),
      doc: loc('nth mode: match one packet out of every n.', 'nth モード: n 個に 1 個のパケットに一致します。'),
    },
    {
      name: 'packet', args: 1, argName: 'p', parse: uintArg('--packet'),
      doc: loc('nth mode: initial counter value, 0 to n-1 (which packet of each n matches).', 'nth モード: カウンタの初期値 0〜n-1（n 個のうちどれに一致するか）。'),
    },
  ],
  validate(m) {
    const out: Localized[] = [];
    const mode = optionOf(m, 'mode'), prob = optionOf(m, 'probability'), every = optionOf(m, 'every'), packet = optionOf(m, 'packet');
    if (!mode) out.push(requiredMessage('statistic', 'mode'));
    if (prob && every) out.push(exclusiveMessage('probability', 'every'));
    if (prob && packet) out.push(exclusiveMessage('probability', 'packet'));
    if (out.length || hasBadValue(m, statisticMatch)) return out;
    if (mode!.value === 'random' && !prob) return [loc('random mode needs --probability', 'random モードには --probability が必要です')];
    if (mode!.value === 'nth' && !every && !packet) return [loc('nth mode needs --every and --packet', 'nth モードには --every と --packet が必要です')];
    if (every && !packet) return [loc('--every needs --packet too', '--every には --packet も必要です')];
    if (packet && !every) return [loc('--packet needs --every too', '--packet には --every も必要です')];
    if (every && packet && (packet.value as number) > (every.value as number) - 1) {
      return [loc(`--packet must be from 0 to ${(every.value as number) - 1} (n-1)`, `--packet は 0〜${(every.value as number) - 1}（n-1）で指定します`)];
    }
    return out;
  },
  save(m) {
    const mode = optionOf(m, 'mode')!.value as string;
    const inv = m.options.some((o) => o.negated) ? ['!'] : [];
    if (mode === 'random') return ['-m', 'statistic', '--mode', 'random', ...inv, '--probability', formatProbability(optionOf(m, 'probability')!.value as bigint)];
    return ['-m', 'statistic', '--mode', 'nth', ...inv, '--every', String(optionOf(m, 'every')!.value), '--packet', String(optionOf(m, 'packet')!.value)];
  },
};

export const cpuMatch: ModuleDef = {
  name: 'cpu',
  kind: 'match',
  doc: loc(
    'Matches the number of the CPU handling the packet (from 0), e.g. to spread traffic with RPS or multiqueue NICs over several REDIRECT ports.',
    'パケットを処理している CPU の番号（0 から）で判定します。RPS やマルチキュー NIC と組み合わせて、複数の REDIRECT ポートに振り分ける用途など。',
  ),
  options: [
    { name: 'cpu', args: 1, negatable: true, argName: 'number', parse: uintArg('--cpu'), doc: loc('CPU number, from 0 to the number of CPUs - 1.', 'CPU 番号（0 〜 CPU 数 - 1）。') },
  ],
  validate: (m) => (optionOf(m, 'cpu') ? [] : [requiredMessage('cpu', 'cpu')]),
  save(m) {
    const o = optionOf(m, 'cpu')!;
    return ['-m', 'cpu', ...bang(o), '--cpu', String(o.value)];
  },
};

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

export const clusterMatch: ModuleDef = {
  name: 'cluster',
  kind: 'match',
  doc: loc(
    'Splits traffic between the nodes of a load-sharing cluster without a load balancer: every node sees all packets, and this rule matches the share (by hash) that belongs to this node.',
    'ロードバランサなしで負荷分散クラスタのノード間にトラフィックを分けます。全ノードがすべてのパケットを受け取り、このルールはハッシュでこのノードの担当分に一致します。',
  ),
  options: [
    { name: 'cluster-total-nodes', args: 1, argName: 'n', parse: uintArg('--cluster-total-nodes', 1, 32), doc: loc('Number of nodes in the cluster (1-32).', 'クラスタのノード数（1〜32）。') },
    { name: 'cluster-local-node', args: 1, negatable: true, argName: 'id', parse: uintArg('--cluster-local-node', 1, 32), doc: loc('This node\'s number (1 to the total). Printed back as the equivalent --cluster-local-nodemask.', 'このノードの番号（1〜ノード数）。同じ意味の --cluster-local-nodemask として出力されます。') },
    { name: 'cluster-local-nodemask', args: 1, negatable: true, argName: 'mask', parse: uintArg('--cluster-local-nodemask', 1, 32), doc: loc('Bit mask of the node numbers this node handles, instead of --cluster-local-node (iptables 1.8.9 only accepts 1-32 here).', 'このノードが担当するノード番号のビットマスク（--cluster-local-node の代わり。iptables 1.8.9 は 1〜32 しか受け付けません）。') },
    { name: 'cluster-hash-seed', args: 1, argName: 'value', parse: uintArg('--cluster-hash-seed'), doc: loc('Seed of the Jenkins hash; must be the same on every node.', 'Jenkins ハッシュのシード。全ノードで同じ値にします。') },
  ],
  validate(m) {
    const out: Localized[] = [];
    const total = optionOf(m, 'cluster-total-nodes'), node = optionOf(m, 'cluster-local-node'), mask = optionOf(m, 'cluster-local-nodemask');
    if (!total) out.push(requiredMessage('cluster', 'cluster-total-nodes'));
    if (!optionOf(m, 'cluster-hash-seed')) out.push(requiredMessage('cluster', 'cluster-hash-seed'));
    if (node && mask) out.push(exclusiveMessage('cluster-local-node', 'cluster-local-nodemask'));
    if (!node && !mask) out.push(loc('cluster needs --cluster-local-node or --cluster-local-nodemask', 'cluster には --cluster-local-node か --cluster-local-nodemask が必要です'));
    if (out.length || hasBadValue(m, clusterMatch)) return out;
    const n = total!.value as number;
    if (node && (node.value as number) > n) out.push(loc('--cluster-local-node must not exceed --cluster-total-nodes', '--cluster-local-node は --cluster-total-nodes 以下にします'));
    if (mask && (mask.value as number) >= 2 ** n) out.push(loc('--cluster-local-nodemask has bits beyond --cluster-total-nodes', '--cluster-local-nodemask に --cluster-total-nodes を超えるビットがあります'));
    return out;
  },
  save(m) {
    const node = optionOf(m, 'cluster-local-node'), mask = optionOf(m, 'cluster-local-nodemask');
    const o = (node ?? mask)!;
    const bits = node ? 2 ** ((node.value as number) - 1) : (mask!.value as number);
    return ['-m', 'cluster', ...bang(o), '--cluster-local-nodemask', hex8(bits), '--cluster-total-nodes', String(optionOf(m, 'cluster-total-nodes')!.value),
      '--cluster-hash-seed', hex8(optionOf(m, 'cluster-hash-seed')!.value as number)];
  },
};

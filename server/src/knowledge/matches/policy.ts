// The policy match (libxt_policy): the IPsec policy that decapsulated the packet (--dir in) or
// will encapsulate it (--dir out). Element options (reqid, spi, proto, mode, tunnel-src/dst)
// describe one policy element each; --next starts the next one (with --strict).
import { loc, type Localized, type ParsedModule, type ParsedOption } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { fail, ok } from '../values';
import { optionOf } from '../save-helpers';
import { cUint32, formatHostMask, hasBadValue, hex, hookChain, parseHostMask, requiredMessage, uintArg, type HostMask } from './xt-values';

/** XT_POLICY_MAX_ELEM. */
export const POLICY_MAX_ELEMENTS = 4;
const ELEMENT_OPTIONS = ['reqid', 'spi', 'proto', 'mode', 'tunnel-src', 'tunnel-dst'];

/** The IPsec protocols by /etc/protocols name and alias (exact case, as getprotobyname). */
const IPSEC_PROTOS: Record<string, number> = { esp: 50, 'IPSEC-ESP': 50, ah: 51, 'IPSEC-AH': 51, ipcomp: 108, IPCOMP: 108 };
const PROTO_NAMES: Record<number, string> = { 50: 'esp', 51: 'ah', 108: 'ipcomp' };
/** Other protocol names iptables knows: accepted as protocols, refused by the policy match. */
const OTHER_PROTOS = new Set(['all', 'ip', 'icmp', 'igmp', 'tcp', 'udp', 'gre', 'ipv6-icmp', 'icmpv6', 'sctp', 'udplite', 'dccp', 'ipv6', 'ospf', 'pim', 'vrrp', 'mh', 'ipv6-mh']);

function parsePolicyProto(text: string) {
  const n = cUint32(text, 0, 255) ?? IPSEC_PROTOS[text];
  if (n !== undefined && PROTO_NAMES[n]) return ok(n);
  if (n !== undefined || OTHER_PROTOS.has(text)) return fail('--proto must be ah, esp or ipcomp', '--proto には ah, esp, ipcomp のいずれかを指定します');
  return fail(`unknown protocol "${text}"`, `不明なプロトコル "${text}" です`);
}

const choice = (option: string, allowed: string[]) => (a: string[]) =>
  allowed.includes(a[0]) ? ok(a[0]) : fail(`--${option} takes ${allowed.join(' or ')}, not "${a[0]}"`, `--${option} には ${allowed.join(' か ')} を指定します（"${a[0]}" は不可）`);

const elementOption = (o: Omit<OptionDef, 'negatable' | 'repeatable'>): OptionDef => ({ ...o, negatable: true, repeatable: true });

/** Options split into policy elements at each --next. */
function elements(m: ParsedModule): ParsedOption[][] {
  const out: ParsedOption[][] = [[]];
  for (const o of m.options) {
    if (o.name === 'next') out.push([]);
    else if (ELEMENT_OPTIONS.includes(o.name)) out[out.length - 1].push(o);
  }
  return out;
}

export const policyMatch: ModuleDef = {
  name: 'policy',
  kind: 'match',
  doc: loc(
    'Matches the IPsec policy of the packet: whether it was decapsulated (--dir in) or will be encapsulated (--dir out) by IPsec, and by which SA properties (reqid, SPI, protocol, mode, tunnel endpoints).',
    'パケットの IPsec ポリシーで判定します: IPsec で復号された（--dir in）か、暗号化される（--dir out）か、およびどの SA の属性（reqid、SPI、プロトコル、モード、トンネル端点）か。',
  ),
  options: [
    {
      name: 'dir', args: 1, negatable: true, argName: 'in|out', values: ['in', 'out'], parse: choice('dir', ['in', 'out']),
      doc: loc('in: the policy used to decapsulate (PREROUTING, INPUT, FORWARD); out: the policy that will encapsulate (FORWARD, OUTPUT, POSTROUTING). Required.',
        'in: 復号に使われたポリシー（PREROUTING, INPUT, FORWARD）。out: 暗号化に使われるポリシー（FORWARD, OUTPUT, POSTROUTING）。必須。'),
    },
    {
      name: 'pol', args: 1, argName: 'none|ipsec', values: ['ipsec', 'none'], parse: choice('pol', ['none', 'ipsec']),
      doc: loc('ipsec: the packet is subject to IPsec (default); none: it is not.', 'ipsec: パケットが IPsec 処理の対象（既定）。none: 対象でない。'),
    },
    { name: 'strict', args: 0, doc: loc('Match the whole policy, element by element, instead of any one element.', 'いずれか 1 つの要素ではなく、ポリシー全体を要素ごとに照合します。') },
    elementOption({ name: 'reqid', args: 1, argName: 'id', parse: uintArg('--reqid'), doc: loc('reqid of the policy rule (setkey "unique:ID").', 'ポリシールールの reqid（setkey の "unique:ID"）。') }),
    elementOption({ name: 'spi', args: 1, argName: 'spi', parse: uintArg('--spi'), doc: loc('SPI of the SA (printed in hex).', 'SA の SPI（16 進数で出力されます）。') }),
    elementOption({ name: 'proto', args: 1, argName: 'ah|esp|ipcomp', values: ['esp', 'ah', 'ipcomp'], parse: (a) => parsePolicyProto(a[0]), doc: loc('Encapsulation protocol: ah, esp or ipcomp.', 'カプセル化プロトコル: ah, esp, ipcomp。') }),
    elementOption({ name: 'mode', args: 1, argName: 'tunnel|transport', values: ['tunnel', 'transport'], parse: choice('mode', ['transport', 'tunnel']), doc: loc('Encapsulation mode: tunnel or transport.', 'カプセル化モード: tunnel か transport。') }),
    elementOption({ name: 'tunnel-src', args: 1, argName: 'address[/mask]', parse: (a, ctx) => parseHostMask(a[0], ctx.family, '--tunnel-src'), doc: loc('Source endpoint of a tunnel-mode SA (needs --mode tunnel).', 'トンネルモード SA の送信元端点（--mode tunnel が必要）。') }),
    elementOption({ name: 'tunnel-dst', args: 1, argName: 'address[/mask]', parse: (a, ctx) => parseHostMask(a[0], ctx.family, '--tunnel-dst'), doc: loc('Destination endpoint of a tunnel-mode SA (needs --mode tunnel).', 'トンネルモード SA の宛先端点（--mode tunnel が必要）。') }),
    { name: 'next', args: 0, repeatable: true, doc: loc('Start the next policy element (needs --strict; at most 4 elements).', '次のポリシー要素を始めます（--strict が必要、要素は 4 つまで）。') },
  ],
  validate(m, ctx) {
    const out: Localized[] = [];
    const dir = optionOf(m, 'dir');
    if (!dir) out.push(requiredMessage('policy', 'dir'));
    const none = optionOf(m, 'pol')?.value === 'none';
    const strict = !!optionOf(m, 'strict');
    const els = elements(m);
    if (els.length > POLICY_MAX_ELEMENTS) out.push(loc(`at most ${POLICY_MAX_ELEMENTS} policy elements (--next separates them)`, `ポリシー要素は ${POLICY_MAX_ELEMENTS} つまでです（--next で区切ります）`));
    if (els.length > 1 && !strict) out.push(loc('--next needs --strict', '--next には --strict が必要です'));
    if (none && strict) out.push(loc('--pol none cannot be combined with --strict', '--pol none と --strict は同時に指定できません'));
    if (none && els.length > 1) out.push(loc('--pol none cannot be combined with policy elements (--next)', '--pol none とポリシー要素（--next）は同時に指定できません'));
    els.forEach((el, i) => {
      for (const name of ELEMENT_OPTIONS) {
        if (el.filter((o) => o.name === name).length > 1) out.push(loc(`--${name} is given twice in policy element ${i}`, `ポリシー要素 ${i} で --${name} が 2 回指定されています`));
      }
      if (strict && !none && el.length === 0) out.push(loc(`policy element ${i} is empty: with --strict each element needs reqid, spi, proto, mode or a tunnel address`, `ポリシー要素 ${i} が空です。--strict では各要素に reqid, spi, proto, mode, トンネルアドレスのいずれかが必要です`));
      const mode = el.find((o) => o.name === 'mode');
      const tunnel = mode?.value === 'tunnel' ? !mode.negated : !!mode?.negated;
      if (el.some((o) => o.name === 'tunnel-src' || o.name === 'tunnel-dst') && !tunnel) {
        out.push(loc('--tunnel-src and --tunnel-dst are only valid with --mode tunnel', '--tunnel-src と --tunnel-dst は --mode tunnel のときだけ使えます'));
      }
    });
    const chain = hookChain(ctx);
    if (dir && !hasBadValue(m, policyMatch)) {
      if (dir.value === 'in' && (chain === 'OUTPUT' || chain === 'POSTROUTING')) out.push(loc(`--dir in is not valid in ${chain} (only PREROUTING, INPUT, FORWARD)`, `${chain} では --dir in は使えません（PREROUTING, INPUT, FORWARD のみ）`));
      if (dir.value === 'out' && (chain === 'PREROUTING' || chain === 'INPUT')) out.push(loc(`--dir out is not valid in ${chain} (only FORWARD, OUTPUT, POSTROUTING)`, `${chain} では --dir out は使えません（FORWARD, OUTPUT, POSTROUTING のみ）`));
    }
    return out;
  },
  save(m) {
    const none = optionOf(m, 'pol')?.value === 'none';
    const words = ['-m', 'policy', '--dir', optionOf(m, 'dir')!.value as string, '--pol', none ? 'none' : 'ipsec'];
    if (optionOf(m, 'strict')) words.push('--strict');
    if (none) return words;
    const els = elements(m);
    els.forEach((el, i) => {
      const get = (n: string) => el.find((o) => o.name === n);
      const neg = (o: ParsedOption) => (o.negated ? ['!'] : []);
      const reqid = get('reqid'), spi = get('spi'), proto = get('proto'), mode = get('mode'), dst = get('tunnel-dst'), src = get('tunnel-src');
      if (reqid) words.push(...neg(reqid), '--reqid', String(reqid.value));
      if (spi) words.push(...neg(spi), '--spi', hex(spi.value as number));
      if (proto) words.push(...neg(proto), '--proto', PROTO_NAMES[proto.value as number]);
      if (mode) words.push(...neg(mode), '--mode', mode.value as string);
      if (dst) words.push(...neg(dst), '--tunnel-dst', formatHostMask(dst.value as HostMask));
      if (src) words.push(...neg(src), '--tunnel-src', formatHostMask(src.value as HostMask));
      if (i + 1 < els.length) words.push('--next');
    });
    return words;
  },
};

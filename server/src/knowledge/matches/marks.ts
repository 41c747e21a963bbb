// Marks and labels set by other rules: mark (packet mark), connmark (connection mark) and
// connlabel (connection label bits).
import { loc } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { fail, ok } from '../values';
import { bang, optionOf } from '../save-helpers';
import { cUint32, formatMark, parseValueMask, requiredMessage, type ValueMask } from './xt-values';

const markModule = (name: 'mark' | 'connmark', doc: [string, string], optDoc: [string, string]): ModuleDef => ({
  name,
  kind: 'match',
  doc: loc(...doc),
  options: [
    {
      name: 'mark', args: 1, negatable: true, argName: 'value[/mask]', values: ['0x1', '0x1/0xff'],
      parse: (args) => parseValueMask(args[0], '--mark'),
      doc: loc(...optDoc),
    },
  ],
  validate: (m) => (optionOf(m, 'mark') ? [] : [requiredMessage(name, 'mark')]),
  save(m) {
    const o = optionOf(m, 'mark')!;
    return ['-m', name, ...bang(o), '--mark', formatMark(o.value as ValueMask)];
  },
});

export const markMatch = markModule('mark',
  ['Matches the packet mark (nfmark) set earlier by `-j MARK` or by a socket option.', '先に `-j MARK` やソケットオプションで付けたパケットのマーク（nfmark）で判定します。'],
  ['Mark value; with /mask, only the mask bits are compared (`0x1/0xff`). Printed back in hex.', 'マーク値。/マスク を付けるとマスクのビットだけを比較します（`0x1/0xff`）。16 進数で出力されます。']);

export const connmarkMatch = markModule('connmark',
  ['Matches the mark of the packet\'s connection, set by `-j CONNMARK` (it lasts for the whole connection).', 'パケットが属する接続のマーク（`-j CONNMARK` で設定、接続の間ずっと残る）で判定します。'],
  ['Connection mark value; with /mask, only the mask bits are compared. Printed back in hex.', '接続マークの値。/マスク を付けるとマスクのビットだけを比較します。16 進数で出力されます。']);

/** Labels are bits 0-127 of the connection (XT_CONNLABEL_MAXBIT). */
export const CONNLABEL_BITS = 128;

export type ConnlabelValue = { bit: number } | { name: string };

export const connlabelMatch: ModuleDef = {
  name: 'connlabel',
  kind: 'match',
  doc: loc(
    'Matches (and with --set, adds) a label bit on the connection. Connections can carry many labels at once, unlike the single connmark.',
    '接続に付いたラベル（ビット）で判定します（--set で付与も）。接続マークと違い、複数のラベルを同時に持てます。',
  ),
  options: [
    {
      name: 'label', args: 1, negatable: true, argName: 'name|bit',
      parse: (args) => {
        const bit = cUint32(args[0]);
        if (bit !== undefined) {
          return bit < CONNLABEL_BITS ? ok<ConnlabelValue>({ bit })
            : fail(`connection label ${bit} is out of range: the kernel has bits 0-${CONNLABEL_BITS - 1}`, `接続ラベル ${bit} は範囲外です（カーネルのラベルは 0〜${CONNLABEL_BITS - 1}）`);
        }
        // Names come from /etc/xtables/connlabel.conf on the machine that loads the rules.
        if (args[0] === '' || /^[-0-9]/.test(args[0])) return fail(`"${args[0]}" is not a label number or name`, `"${args[0]}" はラベル番号でも名前でもありません`);
        return ok<ConnlabelValue>({ name: args[0] });
      },
      doc: loc('Label bit number (0-127) or a name from /etc/xtables/connlabel.conf (the rule fails to load if the name is not there).',
        'ラベルのビット番号（0〜127）、または /etc/xtables/connlabel.conf の名前（そこにない名前だとルールを読み込めません）。'),
    },
    {
      name: 'set', args: 0,
      doc: loc('Set the label on the connection if it is not set yet (may fail if the connection has no room for labels).', '接続にまだラベルがなければ付与します（接続にラベル領域がないと失敗することがあります）。'),
    },
  ],
  validate: (m) => (optionOf(m, 'label') ? [] : [requiredMessage('connlabel', 'label')]),
  save(m) {
    const o = optionOf(m, 'label')!;
    const v = o.value as ConnlabelValue;
    // Always double-quoted, without escaping (printf "\"%s\"").
    const words = ['-m', 'connlabel', ...bang(o), '--label', `"${'bit' in v ? v.bit : v.name}"`];
    if (optionOf(m, 'set')) words.push('--set');
    return words;
  },
};

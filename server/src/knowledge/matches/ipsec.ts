// IPsec header matches: ah (libipt_ah for IPv4, libip6t_ah for IPv6), esp (libxt_esp) and
// ipcomp (libxt_ipcomp). SPIs are 32-bit; a range may be written either way round and is kept.
import { loc, type Family, type ParsedModule } from '../../syntax/ast';
import type { ModuleDef, OptionDef } from '../types';
import { bang, optionOf } from '../save-helpers';
import { formatRange, negatedProtocolError, parseRange, xtUint, type NumRange } from './header-common';

const U32 = 0xffffffff;
const isFull = (r: NumRange) => r.from === 0 && r.to === U32;

const spiOption = (name: string, en: string, ja: string): OptionDef => ({
  name, args: 1, negatable: true, argName: 'spi[:spi]',
  parse: (args) => parseRange(args[0], 0, U32, loc('SPI', 'SPI')),
  doc: loc(en, ja),
});

/** `--xxspi` as iptables-save prints it: left out when it covers every SPI, even if negated. */
function saveSpi(m: ParsedModule, name: string, words: string[], missing?: string[]): void {
  const o = optionOf(m, name);
  if (!o) { if (missing) words.push(...missing); return; }
  const r = o.value as NumRange;
  if (!isFull(r)) words.push(...bang(o), `--${name}`, formatRange(r));
}

const ahSpi = spiOption('ahspi', 'Security Parameters Index of the AH header, or a range `first:last`.', 'AH ヘッダーの SPI（セキュリティパラメータインデックス）、または範囲 `開始:終了`。');

function ahModule(family: Family): ModuleDef {
  const v6Options: OptionDef[] = family === 6 ? [
    {
      name: 'ahlen', args: 1, negatable: true, argName: 'length',
      parse: (args) => xtUint(args[0], 0, U32, loc('AH header length', 'AH ヘッダー長')),
      doc: loc('Total length of the AH header in octets.', 'AH ヘッダー全体の長さ（オクテット単位）。'),
    },
    { name: 'ahres', args: 0, doc: loc('Matches only when the reserved field of the AH header is zero.', 'AH ヘッダーの予約フィールドが 0 のときだけ一致します。') },
  ] : [];
  return {
    name: 'ah',
    kind: 'match',
    family,
    ...(family === 4 ? { protocols: ['ah'] } : {}),
    doc: family === 4
      ? loc('Matches the SPI of IPsec AH (authentication header) packets. Needs `-p ah`.', 'IPsec の AH（認証ヘッダー）パケットを SPI で判定します。`-p ah` が必要です。')
      : loc('Matches fields of the IPsec AH (authentication header) extension header: SPI, length, reserved field.', 'IPsec の AH（認証ヘッダー）拡張ヘッダーのフィールド（SPI、長さ、予約フィールド）で判定します。'),
    options: [ahSpi, ...v6Options],
    validate: (m, ctx) => (family === 4 ? negatedProtocolError(ctx, 'ah', 'ah') : []),
    save(m) {
      const words = ['-m', 'ah'];
      saveSpi(m, 'ahspi', words);
      const len = optionOf(m, 'ahlen');
      // A length of 0 means "not checked" to ip6tables-save unless it is negated.
      if (len && (len.value !== 0 || len.negated)) words.push(...bang(len), '--ahlen', String(len.value));
      if (optionOf(m, 'ahres')) words.push('--ahres');
      return words;
    },
  };
}

export const ahMatch = ahModule(4);
export const ah6Match = ahModule(6);

export const espMatch: ModuleDef = {
  name: 'esp',
  kind: 'match',
  protocols: ['esp'],
  doc: loc('Matches the SPI of IPsec ESP (encapsulating security payload) packets. Needs `-p esp`.', 'IPsec の ESP（暗号化ペイロード）パケットを SPI で判定します。`-p esp` が必要です。'),
  options: [spiOption('espspi', 'Security Parameters Index of the ESP header, or a range `first:last`.', 'ESP ヘッダーの SPI（セキュリティパラメータインデックス）、または範囲 `開始:終了`。')],
  validate: (m, ctx) => negatedProtocolError(ctx, 'esp', 'esp'),
  save(m) {
    const words = ['-m', 'esp'];
    saveSpi(m, 'espspi', words);
    return words;
  },
};

export const ipcompMatch: ModuleDef = {
  name: 'ipcomp',
  kind: 'match',
  protocols: ['ipcomp'],
  doc: loc('Matches the CPI of IPComp (IP payload compression) packets. Needs `-p ipcomp`.', 'IPComp（IP ペイロード圧縮）パケットを CPI で判定します。`-p ipcomp` が必要です。'),
  options: [spiOption('ipcompspi', 'Compression Parameter Index of the IPComp header, or a range `first:last`.', 'IPComp ヘッダーの CPI（圧縮パラメータインデックス）、または範囲 `開始:終了`。')],
  validate: (m, ctx) => negatedProtocolError(ctx, 'ipcomp', 'ipcomp'),
  save(m) {
    const words = ['-m', 'ipcomp'];
    // Without the option the kernel is given the range 0:0, which iptables-save shows as `--ipcompspi 0`.
    saveSpi(m, 'ipcompspi', words, ['--ipcompspi', '0']);
    return words;
  },
};

// The comment match (libxt_comment): a note stored in the rule, matching every packet.
import { loc } from '../../syntax/ast';
import type { ModuleDef } from '../types';
import { ok } from '../values';
import { optionOf, quoteSaveString } from '../save-helpers';
import { byteLength, truncateBytes } from './xt-values';

/**
 * xt_comment keeps the text in a 256-byte buffer ending with a NUL, so 255 bytes survive.
 * iptables 1.8.9 (nft and legacy alike) does not reject a longer comment: it silently keeps
 * the first 255 bytes (checked on the binary; a multi-byte character can be cut in half).
 */
export const COMMENT_MAX_BYTES = 255;

export interface CommentValue {
  /** The text as written. */
  text: string;
  /** What iptables stores and prints back (the first 255 bytes). */
  stored: string;
  truncated: boolean;
}

export const commentMatch: ModuleDef = {
  name: 'comment',
  kind: 'match',
  doc: loc(
    'Attaches a note (up to 255 bytes) to the rule. It matches every packet and shows up in `iptables -L` and iptables-save.',
    'ルールにメモ（255 バイトまで）を付けます。すべてのパケットに一致し、`iptables -L` や iptables-save に表示されます。',
  ),
  options: [
    {
      name: 'comment', args: 1, argName: 'text',
      parse: (args) => {
        const text = args[0];
        // A UTF-16 unit is at most 3 bytes of UTF-8: a short text needs no counting.
        const truncated = text.length * 3 > COMMENT_MAX_BYTES && byteLength(text) > COMMENT_MAX_BYTES;
        return ok<CommentValue>({ text, stored: truncated ? truncateBytes(text, COMMENT_MAX_BYTES) : text, truncated });
      },
      doc: loc('The note. Longer than 255 bytes (85 Japanese characters in UTF-8), iptables silently cuts it.',
        'メモの文字列。255 バイト（UTF-8 の日本語で 85 文字）を超えると iptables が黙って切り詰めます。'),
    },
  ],
  validate(m) {
    return optionOf(m, 'comment') ? [] : [loc('the comment match needs --comment', 'comment マッチには --comment が必要です')];
  },
  save(m) {
    const c = optionOf(m, 'comment')!.value as CommentValue;
    return ['-m', 'comment', '--comment', quoteSaveString(c.stored)];
  },
};

// The shell front end's own problems: code IPT100 (the script is not valid shell), in our words.
import { loc, type Localized, type Severity } from '../ast';
import type { Unterminated } from './lexer';

export const CODE = 'IPT100';

export interface RawProblem { start: number; end: number; message: Localized; severity: Severity }

const opener: Record<Unterminated['kind'], [string, string]> = {
  sq: ['This single quote is never closed', 'このシングルクォートが閉じられていません'],
  dq: ['This double quote is never closed', 'このダブルクォートが閉じられていません'],
  ansi: ["This `$'` string is never closed", "この `$'` 文字列が閉じられていません"],
  cmd: ['This `$(` is never closed by `)`', 'この `$(` に対応する `)` がありません'],
  arith: ['This `$((` is never closed by `))`', 'この `$((` に対応する `))` がありません'],
  param: ['This `${` is never closed by `}`', 'この `${` に対応する `}` がありません'],
  backtick: ['This backquote is never closed', 'このバッククォートが閉じられていません'],
  proc: ['This process substitution is never closed by `)`', 'このプロセス置換に対応する `)` がありません'],
};

export function unterminated(kind: Unterminated['kind']): Localized {
  const [en, ja] = opener[kind];
  return loc(`${en}; the rest of the line is read as its text.`, `${ja}。行末までをその中身として読みます。`);
}

export const heredocUnterminated = (delim: string): Localized =>
  loc(
    `This here-document never ends: no line reads exactly \`${delim}\`. The lines after it are read as commands.`,
    `このヒアドキュメントは終わっていません。\`${delim}\` だけの行がありません。以降の行はコマンドとして読みます。`,
  );

export const heredocNoDelimiter = (): Localized =>
  loc('`<<` needs a delimiter word after it.', '`<<` の後には終端を示す単語が必要です。');

export const unclosed = (open: string, close: string): Localized =>
  loc(`\`${open}\` is never closed by \`${close}\`.`, `\`${open}\` に対応する \`${close}\` がありません。`);

export const missingKeyword = (open: string, need: string): Localized =>
  loc(`\`${open}\` needs \`${need}\` before its commands.`, `\`${open}\` のコマンドの前に \`${need}\` が必要です。`);

const strayOpener: Record<string, string> = {
  fi: 'if', then: 'if', elif: 'if', else: 'if', done: 'do', do: 'for/while', esac: 'case', '}': '{', ')': '(', ';;': 'case', ';&': 'case', ';;&': 'case',
};

export const stray = (word: string): Localized =>
  loc(
    `\`${word}\` has no matching \`${strayOpener[word] ?? '?'}\`.`,
    `\`${word}\` に対応する \`${strayOpener[word] ?? '?'}\` がありません。`,
  );

export const unexpected = (word: string): Localized =>
  loc(`\`${word}\` cannot appear here.`, `ここに \`${word}\` は置けません。`);

export const needsCommand = (op: string): Localized =>
  loc(`\`${op}\` must be followed by a command.`, `\`${op}\` の後にはコマンドが必要です。`);

export const needsTarget = (op: string): Localized =>
  loc(`The redirection \`${op}\` needs a file name.`, `リダイレクト \`${op}\` の後にはファイル名が必要です。`);

export const emptyBody = (open: string, close: string): Localized =>
  loc(
    `Nothing between \`${open}\` and \`${close}\`: at least one command is needed.`,
    `\`${open}\` と \`${close}\` の間にコマンドが一つ以上必要です。`,
  );

export const functionBody = (): Localized =>
  loc('A function body must be a compound command such as `{ ...; }`.', '関数の本体は `{ ...; }` などの複合コマンドでなければなりません。');

export const casePattern = (): Localized =>
  loc('A `case` pattern must end with `)`.', '`case` のパターンは `)` で終わる必要があります。');

export const needsName = (what: string): Localized =>
  loc(`\`${what}\` needs a name.`, `\`${what}\` の後には名前が必要です。`);

export const tooDeep = (limit: number): Localized =>
  loc(
    `Nested more than ${limit} levels deep: the commands inside are not analysed.`,
    `入れ子が ${limit} 段を超えています。内側のコマンドは解析しません。`,
  );

export const tooMuch = (): Localized =>
  loc(
    'Functions and loops expand to too many commands; evaluation stops here.',
    '関数やループの展開が多すぎるため、ここで評価を打ち切ります。',
  );

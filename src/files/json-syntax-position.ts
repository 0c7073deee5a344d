/**
 * Where a JSON text first breaks the grammar. V8 reports a position for some syntax errors only,
 * and quotes the input in others (which may hold a password), so the tap finds it itself.
 * Returns the offset of the first offending character, or text.length for a truncated text.
 */
export function jsonSyntaxPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) if (text[i++] !== ch) { i--; fail(); }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') { i++; for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail(); continue; }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null || match[0] === '' || match[0] === '-') fail();
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') members('}', () => { space(); if (text[i] !== '"') fail(); string(); space(); if (text[i] !== ':') fail(); i++; value(); });
    else if (ch === '[') members(']', value);
    else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail();
  };
  const members = (close: string, member: () => void): void => {
    i++;
    space();
    if (text[i] === close) { i++; return; }
    for (;;) {
      member();
      space();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === close) { i++; return; }
      fail();
    }
  };
  try {
    value();
    space();
    return i < text.length ? i : -1;
  } catch (position) {
    return Math.min(position as number, text.length);
  }
}

/**
 * The body of a double-quoted element as PostgreSQL's array and hstore output write it: backslash
 * escapes the next character. `start` is just after the opening quote; returns the unescaped value
 * and the index after the closing quote, or null when the quote never closes. Pure.
 */
const CHAR_QUOTE = 34;
const CHAR_BACKSLASH = 92;

export function readQuoted(text: string, start: number): { value: string; end: number } | null {
  let i = start;
  let kept = i;
  let value = '';
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === CHAR_QUOTE) return { value: value + text.slice(kept, i), end: i + 1 };
    if (code === CHAR_BACKSLASH) {
      value += text.slice(kept, i);
      kept = i + 1; // the escaped character starts the next run
      i += 2;
    } else {
      i++;
    }
  }
  return null;
}

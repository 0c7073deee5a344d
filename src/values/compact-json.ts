const CHAR_TAB = 9;
const CHAR_LF = 10;
const CHAR_CR = 13;
const CHAR_SPACE = 32;
const CHAR_QUOTE = 34;
const CHAR_BACKSLASH = 92;

/**
 * json/jsonb text → JSON fragment: the document itself, so big numbers keep their digits and the
 * target receives a parsed value (object, array or scalar), not a string.
 * jsonb text is always one line; json keeps its input's whitespace, and a raw line break would
 * split our one-message-per-line output. So when the text holds '\n' or '\r', every insignificant
 * whitespace outside strings is removed (inside strings PostgreSQL only accepts escaped control
 * characters, so strings never hold a raw line break).
 */
export function compactJson(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  const length = text.length;
  let out = '';
  let kept = 0; // start of the run not yet copied to out
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === CHAR_QUOTE) {
      i = endOfString(text, i + 1);
    } else if (isWhitespace(code)) {
      out += text.slice(kept, i);
      do i++;
      while (i < length && isWhitespace(text.charCodeAt(i)));
      kept = i;
    } else {
      i++;
    }
  }
  return out + text.slice(kept);
}

/** Index just after the closing quote of the string whose content starts at `start`. */
function endOfString(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === CHAR_BACKSLASH) i += 2;
    else if (code === CHAR_QUOTE) return i + 1;
    else i++;
  }
  return i;
}

function isWhitespace(code: number): boolean {
  return code === CHAR_SPACE || code === CHAR_LF || code === CHAR_CR || code === CHAR_TAB;
}

/**
 * Undoing COPY text format's backslash escapes (tab, newline and friends, octal and hex bytes).
 * Pure.
 */
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const isOctal = (code: number): boolean => code >= 0x30 && code <= 0x37;
const isHex = (code: number): boolean => (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

/**
 * Undoes COPY's backslash escaping; octal and hex escapes are bytes, decoded as UTF-8 together
 * (a character may be spelled as several of them). Text between escapes is copied as one slice,
 * so a 64 MB value with a few escapes (a bytea's `\\x…`) costs a few slices, not a string per character.
 */
export function unescapeField(field: string): string {
  const parts: string[] = [];
  let bytes: number[] | null = null;
  let run = 0;
  let i = field.indexOf('\\');
  while (i !== -1 && i + 1 < field.length) {
    if (i > run) {
      if (bytes !== null) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
      parts.push(field.slice(run, i));
    }
    const next = field.charCodeAt(i + 1);
    let digits = 0;
    let byte = 0;
    if (isOctal(next)) {
      while (digits < 3 && isOctal(field.charCodeAt(i + 1 + digits))) byte = byte * 8 + field.charCodeAt(i + 1 + digits++) - 0x30;
      run = i + 1 + digits;
    } else if (next === 0x78 /* x */ && isHex(field.charCodeAt(i + 2))) {
      digits = isHex(field.charCodeAt(i + 3)) ? 2 : 1;
      byte = parseInt(field.slice(i + 2, i + 2 + digits), 16);
      run = i + 2 + digits;
    }
    if (digits > 0) {
      bytes ??= [];
      bytes.push(byte & 0xff);
    } else {
      if (bytes !== null) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
      const letter = field[i + 1] as string;
      parts.push(SIMPLE_ESCAPES[letter] ?? letter);
      run = i + 2;
    }
    i = field.indexOf('\\', run);
  }
  if (bytes !== null && run < field.length) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
  if (run < field.length) parts.push(field.slice(run));
  if (bytes !== null) parts.push(Buffer.from(bytes).toString('utf8'));
  return parts.join('');
}

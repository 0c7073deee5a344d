// JSON.parse that keeps every number as its exact text (a string), so values like
// 9223372036854775807 can be compared with the server's own output. Written here rather than
// borrowed from src so the tests do not check the tap with the tap's own code.
export function parseExact(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new Error(`unterminated string in ${text.slice(0, 80)}…`);
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      out += `"${text.slice(i, j)}"`;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

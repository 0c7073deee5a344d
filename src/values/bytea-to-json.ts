const CHAR_BACKSLASH = 92;
const CHAR_X = 120;

/**
 * bytea text → JSON string of lowercase hex digits WITHOUT PostgreSQL's leading '\x':
 * '\x0102ff' → "0102ff". Hex is what design.md promises and what targets decode most easily
 * (bytes.fromhex, decode(.., 'hex')); the '\x' prefix is PostgreSQL input syntax, not data.
 * The session sets bytea_output=hex; text in the older escape format is converted to the same hex.
 */
export function byteaToJson(text: string): string {
  if (text.charCodeAt(0) === CHAR_BACKSLASH && text.charCodeAt(1) === CHAR_X) return '"' + text.slice(2) + '"';
  return '"' + escapeFormatToHex(text) + '"';
}

/** bytea_output=escape: '\\' is a backslash, '\ooo' an octal byte, anything else one ASCII byte. */
function escapeFormatToHex(text: string): string {
  let hex = '';
  let i = 0;
  while (i < text.length) {
    let byte = text.charCodeAt(i);
    if (byte === CHAR_BACKSLASH) {
      if (text.charCodeAt(i + 1) === CHAR_BACKSLASH) {
        i += 2;
      } else {
        byte = parseInt(text.slice(i + 1, i + 4), 8);
        i += 4;
      }
    } else {
      i++;
    }
    hex += (byte < 16 ? '0' : '') + (byte & 0xff).toString(16);
  }
  return hex;
}

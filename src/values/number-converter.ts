const CHAR_N = 78; // 'N'aN
const CHAR_I = 73; // 'I'nfinity
const CHAR_MINUS = 45;

/**
 * numeric/float4/float8 text → JSON number fragment, verbatim: PostgreSQL's numeric text is plain
 * decimal ('-0.50', '0.00', 40+ digits) and its float text is shortest-exact ('1e+30', '-0'), both
 * valid JSON numbers, so the digits are never passed through a JS number.
 * 'NaN', 'Infinity', '-Infinity' are not JSON: null for now.
 * TODO(every type issue): the setting that chooses between null and clamped values, warning once per column.
 */
export function finiteNumberToJson(text: string): string {
  const first = text.charCodeAt(0);
  if (first === CHAR_N || first === CHAR_I || (first === CHAR_MINUS && text.charCodeAt(1) === CHAR_I)) return 'null';
  return text;
}

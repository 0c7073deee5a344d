const CHAR_MINUS = 45;

/**
 * date text (DateStyle ISO: 'YYYY-MM-DD') → JSON date-time string at midnight UTC (singer-io's
 * mapping): '2021-03-04' → "2021-03-04T00:00:00.000000+00:00".
 * 'infinity', '-infinity', years past 9999 and BC dates ('0044-03-15 BC') are not RFC 3339
 * date-times: null for now. TODO(every type issue): the null-or-clamp setting.
 */
export function dateToJson(text: string): string {
  if (text.length !== 10 || text.charCodeAt(4) !== CHAR_MINUS) return 'null';
  return '"' + text + 'T00:00:00.000000+00:00"';
}

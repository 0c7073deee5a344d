const CHAR_PLUS = 43;
const CHAR_MINUS = 45;
const CHAR_DOT = 46;
const CHAR_ZERO = 48;
const CHAR_COLON = 58;

/**
 * interval text (IntervalStyle postgres: '1 year 2 mons -3 days +04:05:06.789') → JSON string of
 * the ISO 8601 duration PostgreSQL itself prints with IntervalStyle iso_8601
 * ("P1Y2M-3DT4H5M6.789S"): a standard, locale-free form that targets and PostgreSQL both parse.
 * Like PostgreSQL's, each field keeps its own sign (months, days and time are independent in an
 * interval, so '1 mon -1 days' is not '29 days'), and a zero interval is "PT0S".
 */
export function intervalToIso(text: string): string {
  const parts = text.split(' ');
  let date = '';
  let time = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part.indexOf(':') !== -1) {
      time = isoTime(part, text);
      continue;
    }
    // '<n> year(s)' | '<n> mon(s)' | '<n> day(s)': PostgreSQL prints only non-zero fields.
    const value = part.charCodeAt(0) === CHAR_PLUS ? part.slice(1) : part;
    const unit = parts[++i];
    if (unit === 'year' || unit === 'years') date += value + 'Y';
    else if (unit === 'mon' || unit === 'mons') date += value + 'M';
    else if (unit === 'day' || unit === 'days') date += value + 'D';
    else throw malformed(text);
  }
  if (date === '' && time === '') return '"PT0S"';
  return '"P' + date + (time === '' ? '' : 'T' + time) + '"';
}

/** '[+-]HH:MM:SS[.ffffff]' → '4H5M6.789S' with the sign on each non-zero field; '' when all are zero. */
function isoTime(part: string, text: string): string {
  const first = part.charCodeAt(0);
  const sign = first === CHAR_MINUS ? '-' : '';
  const start = first === CHAR_MINUS || first === CHAR_PLUS ? 1 : 0;
  const hoursEnd = part.indexOf(':', start);
  const minutesEnd = hoursEnd + 3;
  if (hoursEnd === -1 || part.charCodeAt(minutesEnd) !== CHAR_COLON) throw malformed(text);
  const hours = withoutLeadingZeros(part.slice(start, hoursEnd));
  const minutes = withoutLeadingZeros(part.slice(hoursEnd + 1, minutesEnd));
  const seconds = withoutLeadingZeros(part.slice(minutesEnd + 1));
  let iso = '';
  if (hours !== '0') iso += sign + hours + 'H';
  if (minutes !== '0') iso += sign + minutes + 'M';
  // PostgreSQL prints a fraction only when it is non-zero, so '0' alone is zero seconds.
  if (seconds !== '0') iso += sign + seconds + 'S';
  return iso;
}

/** '04' → '4', '00' → '0', '06.5' → '6.5', '00.25' → '0.25'. */
function withoutLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === CHAR_ZERO && digits.charCodeAt(i + 1) !== CHAR_DOT) i++;
  return i === 0 ? digits : digits.slice(i);
}

/** The message names the length, not the content: row values do not belong in logs. */
function malformed(text: string): Error {
  return new Error(`malformed PostgreSQL interval (${text.length} characters)`);
}

/** Column types with PostgreSQL texts of their values, shared by the byte-path tests (LOG_BASED and COPY). */
import type { PgColumnType } from '../../src/values/index.js';

export const base = (typname: string, typcategory: string, extra: Partial<PgColumnType> = {}): PgColumnType => ({ sqlType: typname, typname, typtype: 'b', typcategory, typmod: -1, notNull: false, ...extra });
export const arrayOf = (element: PgColumnType): PgColumnType => base(`_${element.typname}`, 'A', { element, delimiter: ',' });

/** Each column with the PostgreSQL texts of its values: plain ones, and every form a byte path must leave to the converter. */
export const COLUMNS: { name: string; type: PgColumnType; texts: string[] }[] = [
  { name: 'i8', type: base('int8', 'N'), texts: ['0', '-9223372036854775808', '9223372036854775807'] },
  { name: 'i4', type: base('int4', 'N'), texts: ['-2147483648', '7'] },
  { name: 'num', type: base('numeric', 'N'), texts: ['0', '-0.50', '123456789012345678901234567890.123', 'NaN', 'Infinity', '-Infinity'] },
  { name: 'money4', type: base('numeric', 'N', { typmod: ((18 << 16) | 4) + 4 }), texts: ['12.5000', '-99999999999999.9999'] },
  { name: 'f8', type: base('float8', 'N'), texts: ['1e+30', '-0', '0.1', '1.7976931348623157e+308', 'NaN', 'Infinity', '-Infinity'] },
  { name: 'f4', type: base('float4', 'N'), texts: ['3.4028235e+38', '-1.5'] },
  { name: 'b', type: base('bool', 'B'), texts: ['t', 'f'] },
  { name: 'txt', type: base('text', 'S'), texts: ['', 'plain', 'quote " backslash \\', 'control \u0001\u001f\b\f\n\r\t', 'unicode ☃ é 𝄞 \u2028', '\\x00'] },
  { name: 'u', type: base('uuid', 'U'), texts: ['e4774cdd-a079-3f86-414e-8b9140bb6db4'] },
  { name: 'tstz', type: base('timestamptz', 'D'), texts: ['2021-03-04 05:06:07.123456+00', '2021-03-04 05:06:07+00', '2021-03-04 05:06:07.1+00', '2021-03-04 05:06:07.5+00:00', '2021-03-04 05:06:07-08', '2021-03-04 05:06:07+05:30', 'infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '10000-01-01 00:00:00+00', '0001-01-01 00:00:00+00'] },
  { name: 'ts', type: base('timestamp', 'D'), texts: ['2021-03-04 05:06:07.123456', '2021-03-04 05:06:07', 'infinity', '0001-01-01 00:00:00 BC'] },
  { name: 'd', type: base('date', 'D'), texts: ['2021-03-04', '0001-01-01', 'infinity', '-infinity', '0044-03-15 BC', '10000-01-01'] },
  { name: 'jb', type: base('jsonb', 'U'), texts: ['{"a": 1}', '{"s": "q\\"uote \\\\ back \\n nl \\u0001 \\/"}', '[1, 2.50, 123456789012345678901234567890]', '"str"', 'null', '{"é": "☃"}'] },
  { name: 'js', type: base('json', 'U'), texts: ['{\n  "a": 1\r\n}', '{"a":1}', ' [1, 2] ', '{"t":"\\t"}'] },
  { name: 'ia', type: arrayOf(base('int4', 'N')), texts: ['{1,2,3}', '{}', '{{1,2},{3,4}}', '{1,NULL}', '[0:1]={1,2}', '{-1,0}'] },
  { name: 'na', type: arrayOf(base('numeric', 'N')), texts: ['{1.5,-2}', '{1.5,NaN}', '{Infinity}'] },
  { name: 'fa', type: arrayOf(base('float8', 'N')), texts: ['{1e+30,-0,0.1}', '{Infinity,NaN}'] },
  { name: 'ta', type: arrayOf(base('text', 'S')), texts: ['{a,"b c",NULL}', '{}'] },
  { name: 'bin', type: base('bytea', 'U'), texts: ['\\x0102ff', '\\x'] },
  { name: 'iv', type: base('interval', 'T'), texts: ['1 day 02:03:04'] },
];


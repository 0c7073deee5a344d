/**
 * Logical decoding writes text in the database's encoding, whatever the session's client_encoding
 * (a LATIN1 database sends 'é' as the byte 0xE9), so the bytes of a wal2json document are decoded
 * with the database's own encoding. Node decodes ISO 8859-1 itself and the rest through
 * TextDecoder (ICU); SQL_ASCII holds whatever clients wrote and is read as UTF-8.
 */
import type { PgClient } from '../connection/connect.js';

export type TextDecode = (data: Buffer, start: number, end: number) => string;

export const decodeUtf8: TextDecode = (data, start, end) => data.toString('utf8', start, end);

/** A database's text: its decoder, and whether it is UTF-8 (text may then be copied into the output as bytes). */
export interface DatabaseText {
  readonly decode: TextDecode;
  readonly utf8: boolean;
}

export const UTF8_TEXT: DatabaseText = { decode: decodeUtf8, utf8: true };

/** Server encodings (pg_encoding_to_char) by the WHATWG label of the same character set. */
const LABELS: Readonly<Record<string, string>> = {
  LATIN2: 'iso-8859-2', LATIN3: 'iso-8859-3', LATIN4: 'iso-8859-4', LATIN6: 'iso-8859-10', LATIN7: 'iso-8859-13',
  LATIN8: 'iso-8859-14', LATIN9: 'iso-8859-15', LATIN10: 'iso-8859-16',
  ISO_8859_5: 'iso-8859-5', ISO_8859_6: 'iso-8859-6', ISO_8859_7: 'iso-8859-7', ISO_8859_8: 'iso-8859-8',
  WIN866: 'ibm866', WIN874: 'windows-874', WIN1250: 'windows-1250', WIN1251: 'windows-1251', WIN1252: 'windows-1252',
  WIN1253: 'windows-1253', WIN1254: 'windows-1254', WIN1255: 'windows-1255', WIN1256: 'windows-1256', WIN1257: 'windows-1257',
  WIN1258: 'windows-1258', KOI8R: 'koi8-r', KOI8U: 'koi8-u', EUC_JP: 'euc-jp', EUC_CN: 'gb18030', EUC_KR: 'euc-kr',
};

export async function serverEncoding(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ server_encoding: string }>('SHOW server_encoding');
  return rows[0]?.server_encoding ?? 'UTF8';
}

/** The decoder of a server encoding; null when this Node cannot decode it (the caller warns and reads UTF-8). */
export function textDecode(encoding: string): TextDecode | null {
  if (encoding === 'UTF8' || encoding === 'SQL_ASCII') return decodeUtf8;
  if (encoding === 'LATIN1') return (data, start, end) => data.toString('latin1', start, end);
  const label = LABELS[encoding];
  if (label === undefined) return null;
  try {
    const decoder = new TextDecoder(label);
    return (data, start, end) => decoder.decode(data.subarray(start, end));
  } catch {
    return null;
  }
}

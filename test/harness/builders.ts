// Builders for the fixtures unit tests share, named after what they build: a column type as the
// converters see it, a wal2json format-version 2 document as the tap asks for it (include-types
// false), and the streaming protocol's CopyData frames.
import type { PgColumnType } from '../../src/values/index.js';

/** pg_type's typcategory of the built-in types the tests use; anything else is 'U' (user-defined). */
const CATEGORY: Readonly<Record<string, string>> = {
  int2: 'N', int4: 'N', int8: 'N', oid: 'N', numeric: 'N', float4: 'N', float8: 'N', money: 'N',
  text: 'S', varchar: 'S', bpchar: 'S', name: 'S', char: 'S', citext: 'S',
  date: 'D', timestamp: 'D', timestamptz: 'D', time: 'D', timetz: 'D',
  interval: 'T', bool: 'B', bit: 'V', varbit: 'V', inet: 'I', cidr: 'I',
};

/** A scalar column type: nullable, no typmod, its category from the name. */
export function pgType(typname: string, extra: Partial<PgColumnType> = {}): PgColumnType {
  return { sqlType: typname, typname, typtype: 'b', typcategory: CATEGORY[typname] ?? 'U', typmod: -1, notNull: false, ...extra };
}

/** An array of `element` (typname `_<element>`, sqlType `<element>[]`). */
export function pgArrayType(element: PgColumnType, extra: Partial<PgColumnType> = {}): PgColumnType {
  return pgType(`_${element.typname}`, { sqlType: `${element.sqlType}[]`, typcategory: 'A', element, ...extra });
}

export interface Wal2JsonChange {
  action: 'I' | 'U' | 'D';
  schema?: string;
  table?: string;
  /** Column name → the value's raw JSON token (so tests choose quoting and escapes). */
  columns?: readonly (readonly [string, string])[];
  identity?: readonly (readonly [string, string])[];
  timestamp?: string;
  lsn?: string;
}

/** A row change as wal2json 2.5 prints it with format-version 2 and include-types false. */
export function wal2jsonChange(change: Wal2JsonChange): string {
  const list = (pairs: readonly (readonly [string, string])[]): string => pairs.map(([name, token]) => `{"name":${JSON.stringify(name)},"value":${token}}`).join(',');
  const head = `{"action":"${change.action}","timestamp":"${change.timestamp ?? '2026-11-25 10:05:54.256785+00'}","lsn":"${change.lsn ?? '0/1948EC0'}","schema":${JSON.stringify(change.schema ?? 'public')},"table":${JSON.stringify(change.table ?? 'orders')}`;
  const columns = change.columns === undefined ? '' : `,"columns":[${list(change.columns)}]`;
  const identity = change.identity === undefined ? '' : `,"identity":[${list(change.identity)}]`;
  return `${head}${columns}${identity}}`;
}

/** A CopyData payload of the streaming protocol carrying wal2json output: XLogData ('w'). */
export function xlogData(payload: string, walStart = 0n, walEnd = 0n): Buffer {
  const header = Buffer.alloc(25);
  header[0] = 0x77;
  header.writeBigUInt64BE(walStart, 1);
  header.writeBigUInt64BE(walEnd, 9);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** A Primary keepalive ('k'): the server's WAL end and whether it wants a reply now. */
export function keepalive(walEnd: bigint, replyRequested = false): Buffer {
  const frame = Buffer.alloc(18);
  frame[0] = 0x6b;
  frame.writeBigUInt64BE(walEnd, 1);
  frame[17] = replyRequested ? 1 : 0;
  return frame;
}

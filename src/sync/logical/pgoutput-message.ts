/**
 * Pure reader of pgoutput's logical replication messages, protocol version 1 (PostgreSQL's
 * "Logical Replication Message Formats", the names used here): Begin, Commit, Relation, Insert,
 * Update, Delete, Truncate; Origin, Type and Message are recognised and passed over. Values arrive
 * as each type's text output ('t'), NULL ('n') or an unchanged TOASTed value left out ('u'), in
 * the session's client encoding (UTF-8).
 */
import { Lsn } from '../../state/lsn.js';

export type TupleValue = null | undefined | string;

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the key). */
  key: boolean;
  typeOid: number;
}

export type PgoutputMessage =
  | { tag: 'B'; finalLsn: Lsn; commitTime: bigint }
  | { tag: 'C'; commitLsn: Lsn; endLsn: Lsn; commitTime: bigint }
  | { tag: 'R'; relid: number; namespace: string; name: string; columns: RelationColumn[] }
  | { tag: 'I'; relid: number; row: TupleValue[] }
  | { tag: 'U'; relid: number; old: TupleValue[] | null; oldIsKey: boolean; row: TupleValue[] }
  | { tag: 'D'; relid: number; old: TupleValue[]; oldIsKey: boolean }
  | { tag: 'T'; relids: number[] }
  | { tag: 'other' };

/** Reads the message in data[start..]. Tuple values: a string ('t'), null ('n'), undefined ('u'). */
export function readPgoutput(data: Buffer, start: number): PgoutputMessage {
  const reader = new Reader(data, start + 1);
  switch (data[start]) {
    case 0x42 /* B */: {
      const finalLsn = Lsn.of(reader.int64());
      const commitTime = reader.int64();
      return { tag: 'B', finalLsn, commitTime };
    }
    case 0x43 /* C */: {
      reader.int8();
      const commitLsn = Lsn.of(reader.int64());
      const endLsn = Lsn.of(reader.int64());
      return { tag: 'C', commitLsn, endLsn, commitTime: reader.int64() };
    }
    case 0x52 /* R */: {
      const relid = reader.int32();
      const namespace = reader.string();
      const name = reader.string();
      reader.int8(); // replica identity setting
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const key = (reader.int8() & 1) === 1;
        const columnName = reader.string();
        const typeOid = reader.int32();
        reader.int32(); // typmod
        columns.push({ name: columnName, key, typeOid });
      }
      // An empty namespace is pg_catalog (the protocol's way of saying so).
      return { tag: 'R', relid, namespace: namespace === '' ? 'pg_catalog' : namespace, name, columns };
    }
    case 0x49 /* I */: {
      const relid = reader.int32();
      reader.expect(0x4e /* N */);
      return { tag: 'I', relid, row: reader.tuple() };
    }
    case 0x55 /* U */: {
      const relid = reader.int32();
      let old: TupleValue[] | null = null;
      let oldIsKey = false;
      let marker = reader.int8();
      if (marker === 0x4b /* K */ || marker === 0x4f /* O */) {
        oldIsKey = marker === 0x4b;
        old = reader.tuple();
        marker = reader.int8();
      }
      if (marker !== 0x4e /* N */) throw new Error(`pgoutput: unexpected byte ${marker} in an Update`);
      return { tag: 'U', relid, old, oldIsKey, row: reader.tuple() };
    }
    case 0x44 /* D */: {
      const relid = reader.int32();
      const marker = reader.int8();
      if (marker !== 0x4b && marker !== 0x4f) throw new Error(`pgoutput: unexpected byte ${marker} in a Delete`);
      return { tag: 'D', relid, oldIsKey: marker === 0x4b, old: reader.tuple() };
    }
    case 0x54 /* T */: {
      const count = reader.int32();
      reader.int8(); // options: CASCADE, RESTART IDENTITY
      const relids: number[] = [];
      for (let i = 0; i < count; i++) relids.push(reader.int32());
      return { tag: 'T', relids };
    }
    default:
      // Origin, Type, Message, and anything a later protocol version adds.
      return { tag: 'other' };
  }
}

class Reader {
  constructor(private readonly data: Buffer, private at: number) {}

  int8(): number {
    return this.data.readUInt8(this.at++);
  }

  int16(): number {
    const value = this.data.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  int32(): number {
    const value = this.data.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  int64(): bigint {
    const value = this.data.readBigUInt64BE(this.at);
    this.at += 8;
    return value;
  }

  expect(byte: number): void {
    const got = this.int8();
    if (got !== byte) throw new Error(`pgoutput: expected ${String.fromCharCode(byte)}, got byte ${got}`);
  }

  /** A null-terminated string. */
  string(): string {
    const end = this.data.indexOf(0, this.at);
    if (end === -1) throw new Error('pgoutput: unterminated string');
    const text = this.data.toString('utf8', this.at, end);
    this.at = end + 1;
    return text;
  }

  /** TupleData: Int16 columns, then per column 'n', 'u', or 't' with Int32 length and the text. */
  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = new Array<TupleValue>(count);
    for (let i = 0; i < count; i++) {
      const kind = this.int8();
      if (kind === 0x6e /* n */) values[i] = null;
      else if (kind === 0x75 /* u */) values[i] = undefined;
      else if (kind === 0x74 /* t */) {
        const length = this.int32();
        values[i] = this.data.toString('utf8', this.at, this.at + length);
        this.at += length;
      } else throw new Error(`pgoutput: unexpected column kind ${kind}`);
    }
    return values;
  }
}

/** Microseconds since 2000-01-01 UTC → PostgreSQL's timestamptz text in UTC ('2026-12-04 07:18:50.123456+00'). */
export function postgresTimestampText(micros: bigint): string {
  const POSTGRES_EPOCH_MS = 946_684_800_000n;
  // Floor division, so a time before 2000 still lands on the right second.
  const ms = (micros - (((micros % 1000n) + 1000n) % 1000n)) / 1000n + POSTGRES_EPOCH_MS;
  const date = new Date(Number(ms));
  const fraction = (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).toString().padStart(6, '0');
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}.${fraction}+00`;
}

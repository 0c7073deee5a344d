import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeFormatter, DELETED_AT, type ChangeShape } from '../../src/sync/logical/change-formatter.js';
import type { Wal2JsonColumn } from '../../src/sync/logical/wal2json-message.js';
import { valueConverter, type PgColumnType } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

function type(typname: string, typcategory: string): PgColumnType {
  return pgType(typname, { typcategory });
}

const INT8 = type('int8', 'N');
const NUMERIC = type('numeric', 'N');
const TEXT = type('text', 'S');
const TSTZ = type('timestamptz', 'D');
const BOOL = type('bool', 'B');

/** orders(id int8, region text, amount numeric, at timestamptz, paid bool), key (id, region). */
const SHAPE: ChangeShape = {
  names: ['id', 'region', 'amount', 'at', 'paid'],
  converters: [INT8, TEXT, NUMERIC, TSTZ, BOOL].map((t) => valueConverter(t)),
  keys: ['id', 'region'],
};

const col = (name: string, text: string | null, _type = 'text'): Wal2JsonColumn => ({ name, text });

const FULL_ROW: Wal2JsonColumn[] = [
  col('id', '9223372036854775807', 'bigint'),
  col('region', 'eu "west"\\1'),
  col('amount', '123456789012345678901234567890.000000001', 'numeric'),
  col('at', '2024-02-29 23:59:59.000001+00', 'timestamp with time zone'),
  col('paid', 't', 'boolean'),
];

const EXTRACTED = new Date('2024-03-01T00:00:00.000Z');

function formatter(version = 1700000000000): ReturnType<typeof changeFormatter> {
  const f = changeFormatter('orders', SHAPE, version);
  f.setTimeExtracted(EXTRACTED);
  return f;
}

/** A line is one RECORD message whose record text keeps big numbers verbatim. */
function parse(line: string): { type: string; stream: string; record: Record<string, unknown>; version: number; time_extracted: string } {
  assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, 'one line');
  return JSON.parse(line) as never;
}

test('upsert: every selected column in order, exact text, _sdc_deleted_at null, version, time_extracted', () => {
  const { line, missing } = formatter().upsert(FULL_ROW);
  assert.deepEqual(missing, []);
  assert.ok(line.includes('"id":9223372036854775807,'), line);
  assert.ok(line.includes('"amount":123456789012345678901234567890.000000001,'), line);
  const message = parse(line);
  assert.equal(message.type, 'RECORD');
  assert.equal(message.stream, 'orders');
  assert.deepEqual(Object.keys(message.record), ['id', 'region', 'amount', 'at', 'paid', DELETED_AT]);
  assert.equal(message.record.region, 'eu "west"\\1');
  assert.equal(message.record.at, '2024-02-29T23:59:59.000001+00:00');
  assert.equal(message.record.paid, true);
  assert.equal(message.record[DELETED_AT], null);
  assert.equal(message.version, 1700000000000);
  assert.equal(message.time_extracted, EXTRACTED.toISOString());
});

test('upsert: columns the change does not carry are reported missing and written as null', () => {
  const withoutAmount = FULL_ROW.filter((c) => c.name !== 'amount' && c.name !== 'paid');
  const { line, missing } = formatter().upsert(withoutAmount);
  assert.deepEqual(missing, ['amount', 'paid']);
  assert.equal(parse(line).record.amount, null);
});

test('upsert: SQL NULL is not missing; columns not selected (or added later) are ignored', () => {
  const row = [...FULL_ROW.map((c) => (c.name === 'amount' ? col('amount', null) : c)), col('added_later', 'x'), col('unselected', '1')];
  const { line, missing } = formatter().upsert(row);
  assert.deepEqual(missing, []);
  const record = parse(line).record;
  assert.equal(record.amount, null);
  assert.ok(!('added_later' in record) && !('unselected' in record));
});

test('upsertWith: the values of a map (a row read by key) merged with the change', () => {
  const values = new Map<string, string | null>([['id', '1'], ['region', 'x'], ['amount', '0.10'], ['at', '2024-01-01 00:00:00+00'], ['paid', 'f']]);
  const line = formatter().upsertWith(values);
  assert.ok(line.includes('"amount":0.10,'), line);
  assert.deepEqual(parse(line).record, { id: 1, region: 'x', amount: 0.1, at: '2024-01-01T00:00:00.000000+00:00', paid: false, [DELETED_AT]: null });
});

test('delete: key columns only, with the commit time in _sdc_deleted_at', () => {
  const line = formatter(42).delete([col('id', '9223372036854775807'), col('region', 'eu')], '2024-05-06T07:08:09.123456+00:00');
  assert.ok(line.includes('"id":9223372036854775807,'), line);
  const message = parse(line);
  assert.deepEqual(message.record, { id: 9223372036854775807, region: 'eu', [DELETED_AT]: '2024-05-06T07:08:09.123456+00:00' });
  assert.deepEqual(Object.keys(message.record), ['id', 'region', DELETED_AT]);
  assert.equal(message.version, 42);
  assert.equal(message.time_extracted, EXTRACTED.toISOString());
});

test('delete: a table without key writes only _sdc_deleted_at', () => {
  const f = changeFormatter('nokey', { names: ['a'], converters: [valueConverter(TEXT)], keys: [] }, 1);
  assert.deepEqual(parse(f.delete([col('a', 'x')], '2024-01-01T00:00:00.000000+00:00')).record, { [DELETED_AT]: '2024-01-01T00:00:00.000000+00:00' });
});

test('keyChanged: true only when a key column carried by both differs', () => {
  const f = formatter();
  const identity = [col('id', '1'), col('region', 'eu')];
  assert.equal(f.keyChanged([col('id', '1'), col('region', 'eu'), col('amount', '5')], identity), false);
  assert.equal(f.keyChanged([col('id', '2'), col('region', 'eu')], identity), true);
  assert.equal(f.keyChanged([col('id', '1'), col('region', 'us')], identity), true);
  assert.equal(f.keyChanged([col('id', '1'), col('region', 'eu')], []), false, 'no identity: wal2json sends none when the key is unchanged');
  assert.equal(f.keyChanged([col('region', 'us')], [col('region', 'us'), col('id', '1')]), false, 'a key column the change does not carry is not a change');
  assert.equal(f.keyChanged([col('id', '9223372036854775807')], [col('id', '9223372036854775806')]), true, 'compared exactly, not as floats');
  assert.equal(f.keyChanged([col('amount', '1')], [col('amount', '2')]), false, 'non-key columns do not count');
  const noKey = changeFormatter('nokey', { names: ['a'], converters: [valueConverter(TEXT)], keys: [] }, 1);
  assert.equal(noKey.keyChanged([col('a', '1')], [col('a', '2')]), false);
});

test('setTimeExtracted applies to upserts and deletes alike; a formatter keeps its version', () => {
  const f = changeFormatter('orders', SHAPE, 7);
  const later = new Date('2030-01-01T00:00:00.000Z');
  f.setTimeExtracted(later);
  assert.equal(parse(f.upsert(FULL_ROW).line).time_extracted, later.toISOString());
  assert.equal(parse(f.delete(FULL_ROW, '2030-01-01T00:00:00.000000+00:00')).time_extracted, later.toISOString());
  assert.equal(parse(f.upsert(FULL_ROW).line).version, 7);
});

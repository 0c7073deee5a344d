import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWal2Json } from '../../src/sync/logical/wal2json-message.js';
import { changeAction, COLUMNS_KEY, RowSlots, TableKeyReader, tableKey, tokenText, Wal2JsonRowReader, type RowToken } from '../../src/sync/logical/wal2json-row.js';
import { wal2jsonChange } from '../harness/builders.js';

/** The table key and the index (in bytes) after it, or null (a fresh reader: nothing remembered). */
function readTableKey(text: string, reader = new TableKeyReader()): { key: string; next: number } | null {
  return reader.read(Buffer.from(text), 0) ? { key: reader.key, next: reader.next } : null;
}
const action = (text: string): number => changeAction(Buffer.from(text), 0);

// Documents as wal2json 2.5 prints them with format-version 2, include-types false (what the tap asks for).
const doc = (columns: string, action: 'I' | 'U' | 'D' = 'I', tail = ''): string => `${wal2jsonChange({ action }).slice(0, -1)},"columns":[${columns}]${tail}}`;
const NAMES = ['id', 'label', 'amount', 'paid', 'note'];

/** The tokens as text and the end of the array as a character index (-1: refused). */
function read(text: string, names = NAMES, reader = new Wal2JsonRowReader(names)): { tokens: RowToken[]; end: number } {
  const found = readTableKey(text);
  assert.ok(found !== null);
  const data = Buffer.from(text);
  const slots = new RowSlots(names.length);
  slots.clear();
  const end = reader.readArray(data, found.next, COLUMNS_KEY, slots);
  return { tokens: slots.tokens(data), end: end === -1 ? -1 : data.toString('utf8', 0, end).length };
}

test('the action, the table key and the values as raw tokens, in the slots of the selected columns', () => {
  const text = doc('{"name":"id","value":9223372036854775807},{"name":"label","value":"a\\"b\\\\"},{"name":"skip","value":"x"},{"name":"amount","value":-0.000000000000000000001},{"name":"paid","value":true},{"name":"note","value":null}');
  assert.equal(String.fromCharCode(action(text)), 'I');
  assert.deepEqual(readTableKey(text)?.key, tableKey('public', 'orders'));
  const { tokens, end } = read(text);
  assert.equal(end, text.length - 1);
  assert.deepEqual(tokens, ['9223372036854775807', '"a\\"b\\\\"', '-0.000000000000000000001', 'true', null]);
  assert.deepEqual(tokens.map((t) => (typeof t === 'string' ? tokenText(t) : t)), ['9223372036854775807', 'a"b\\', '-0.000000000000000000001', 't', null]);
});

test('every token equals what the general decoder reads from the same document', () => {
  const values = ['0', '-1.5e+300', '"x"', '""', '"\\\\"', '"ends \\\\\\""', '"☃ é \\u0001 \\n"', '"{\\"k\\": [1, \\"}\\"]}"', 'false', 'null', '"{1,NULL,\\"a,b\\"}"'];
  const reader = new Wal2JsonRowReader(NAMES);
  for (const value of values) {
    const text = doc(NAMES.map((name) => `{"name":"${name}","value":${value}}`).join(','));
    const { tokens } = read(text, NAMES, reader);
    const general = decodeWal2Json(text);
    assert.ok(general.action === 'I');
    assert.deepEqual(tokens.map((t) => (typeof t === 'string' ? tokenText(t) : t)), general.columns.map((c) => c.text), value);
  }
});

test('the learned column order follows a column added or dropped between changes', () => {
  const reader = new Wal2JsonRowReader(NAMES);
  const first = read(doc('{"name":"id","value":1},{"name":"label","value":"a"},{"name":"amount","value":2}'), NAMES, reader);
  assert.deepEqual(first.tokens, ['1', '"a"', '2', undefined, undefined]);
  const dropped = read(doc('{"name":"id","value":3},{"name":"amount","value":4}'), NAMES, reader);
  assert.deepEqual(dropped.tokens, ['3', undefined, '4', undefined, undefined]);
  const added = read(doc('{"name":"id","value":5},{"name":"amount","value":6},{"name":"added","value":7},{"name":"note","value":"n"}'), NAMES, reader);
  assert.deepEqual(added.tokens, ['5', undefined, '6', undefined, '"n"']);
  const prefixName = read(doc('{"name":"idx","value":8},{"name":"id","value":9}'), NAMES, reader);
  assert.deepEqual(prefixName.tokens, ['9', undefined, undefined, undefined, undefined], 'a name that starts with a known name is not mistaken for it');
});

test('any other layout is refused (-1), for the general decoder to handle', () => {
  const refused = [
    doc('{"name":"id","type":"bigint","value":1}'),
    doc('{"name":"id","value":1,"optional":false}'),
    doc('{"name":"id","value":"x","optional":false}'),
    doc('{ "name":"id","value":1}'),
    doc('{"name":"id","value":1} ,{"name":"label","value":"a"}'),
    doc('{"name":"i\\"d","value":1}'),
    doc('{"name":"id","value":"unterminated}'),
  ];
  for (const text of refused) assert.equal(read(text).end, -1, text);
  assert.equal(readTableKey('{"action":"I","schema":"a\\"b","table":"t","columns":[]}'), null, 'escaped names take the general path');
  assert.equal(action('{ "action":"I"}'), 0);
});

test('the table key reader remembers the last table and notices another one', () => {
  const reader = new TableKeyReader();
  const orders = doc('{"name":"id","value":1}');
  const other = orders.replace('"table":"orders"', '"table":"orders2"');
  const columnsAt = (text: string): number => Buffer.byteLength(text.slice(0, text.indexOf('"columns"')));
  assert.deepEqual(readTableKey(orders, reader), { key: tableKey('public', 'orders'), next: columnsAt(orders) });
  assert.deepEqual(readTableKey(orders, reader), { key: tableKey('public', 'orders'), next: columnsAt(orders) });
  assert.deepEqual(readTableKey(other, reader), { key: tableKey('public', 'orders2'), next: columnsAt(other) });
  assert.deepEqual(readTableKey(orders, reader)?.key, tableKey('public', 'orders'));
});

test('names and values outside ASCII are read by bytes and given back as text', () => {
  const reader = new Wal2JsonRowReader(['id', 'naïve']);
  const text = doc('{"name":"naïve","value":"☃ 𝄞"},{"name":"id","value":1}');
  assert.deepEqual(read(text, ['id', 'naïve'], reader).tokens, ['1', '"☃ 𝄞"']);
  const schema = '{"action":"I","schema":"ünï","table":"tàble","columns":[{"name":"id","value":2}]}';
  assert.deepEqual(readTableKey(schema)?.key, tableKey('ünï', 'tàble'));
});

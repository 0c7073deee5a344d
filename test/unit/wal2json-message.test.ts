import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWal2Json, type Wal2JsonMessage } from '../../src/sync/logical/wal2json-message.js';

// Documents as wal2json 2.5 prints them (format-version 2, include-transaction/-timestamp/-lsn/-types),
// copied from pg_logical_slot_peek_changes on a PostgreSQL 15 server.
const BEGIN = '{"action":"B","timestamp":"2026-11-25 07:57:22.739682+00","lsn":"0/1517FF8","nextlsn":"0/1518040"}';
const COMMIT = '{"action":"C","timestamp":"2026-11-25 07:57:22.739682+00","lsn":"0/1517FF8","nextlsn":"0/1518040"}';
const INSERT = '{"action":"I","timestamp":"2026-11-25 07:57:22.739682+00","lsn":"0/1517E80","schema":"public","table":"t","columns":['
  + '{"name":"id","type":"bigint","value":9223372036854775807},'
  + '{"name":"n","type":"numeric","value":123456789012345678901234567890.123456789},'
  + '{"name":"f","type":"double precision","value":1.5e+300},'
  + '{"name":"b","type":"boolean","value":true},'
  + '{"name":"by","type":"bytea","value":"deadbeef"},'
  + '{"name":"s","type":"text","value":"a\\"b\\\\c 123 -4"},'
  + '{"name":"ts","type":"timestamp with time zone","value":"2024-01-01 00:00:00.123456+00"},'
  + '{"name":"j","type":"jsonb","value":"{\\"a\\": [1, 2.50]}"},'
  + '{"name":"arr","type":"integer[]","value":"{1,2}"}]}';
const UPDATE = '{"action":"U","timestamp":"2026-11-25 07:57:22.751362+00","lsn":"0/1518040","schema":"public","table":"t","columns":['
  + '{"name":"id","type":"bigint","value":-9223372036854775808},{"name":"n","type":"numeric","value":-0.00000000000000000001},'
  + '{"name":"b","type":"boolean","value":false},{"name":"s","type":"text","value":null}],'
  + '"identity":[{"name":"id","type":"bigint","value":9223372036854775807}]}';
const DELETE = '{"action":"D","timestamp":"2026-11-25 07:57:22.764089+00","lsn":"0/1518138","schema":"public","table":"t","identity":[{"name":"id","type":"bigint","value":9223372036854775807}]}';
const TRUNCATE = '{"action":"T","timestamp":"2026-11-25 07:57:22.785154+00","lsn":"0/1518D08","schema":"public","table":"t"}';
const MESSAGE = '{"action":"M","transactional":true,"prefix":"p","content":"hello 42"}';

type Row = Extract<Wal2JsonMessage, { action: 'I' | 'U' | 'D' }>;

function row(text: string): Row {
  const message = decodeWal2Json(text);
  assert.ok(message.action === 'I' || message.action === 'U' || message.action === 'D', `row change, got ${message.action}`);
  return message;
}

const texts = (columns: Row['columns']): Record<string, string | null> => Object.fromEntries(columns.map((c) => [c.name, c.text]));

test('B and C carry the commit LSN (as a bigint) and the commit timestamp; C also the commit record end', () => {
  assert.deepEqual(decodeWal2Json(BEGIN), { action: 'B', commitLsn: 0x1517ff8n, timestamp: '2026-11-25 07:57:22.739682+00' });
  assert.deepEqual(decodeWal2Json(COMMIT), { action: 'C', commitLsn: 0x1517ff8n, timestamp: '2026-11-25 07:57:22.739682+00', endLsn: 0x1518040n });
  const high = decodeWal2Json('{"action":"C","timestamp":"2024-01-01 00:00:00+00","lsn":"FFFFFFFF/FFFFFFFE","nextlsn":"FFFFFFFF/FFFFFFFF"}');
  assert.equal(high.action === 'C' && high.commitLsn, 0xfffffffffffffffen, 'an LSN beyond 2^53 stays exact');
});

test('I: every value is PostgreSQL\'s exact text (bare big numbers quoted before JSON.parse)', () => {
  const message = row(INSERT);
  assert.equal(message.action, 'I');
  assert.equal(message.schema, 'public');
  assert.equal(message.table, 't');
  assert.deepEqual(message.identity, []);
  assert.deepEqual(texts(message.columns), {
    id: '9223372036854775807',
    n: '123456789012345678901234567890.123456789',
    f: '1.5e+300',
    b: 't',
    by: '\\xdeadbeef',
    s: 'a"b\\c 123 -4',
    ts: '2024-01-01 00:00:00.123456+00',
    j: '{"a": [1, 2.50]}',
    arr: '{1,2}',
  });
});

test('U: columns and identity (old key), negative extremes, false, NULL', () => {
  const message = row(UPDATE);
  assert.equal(message.action, 'U');
  assert.deepEqual(texts(message.columns), { id: '-9223372036854775808', n: '-0.00000000000000000001', b: 'f', s: null });
  assert.deepEqual(message.identity, [{ name: 'id', text: '9223372036854775807' }]);
});

test('D: identity only, no columns', () => {
  const message = row(DELETE);
  assert.equal(message.action, 'D');
  assert.deepEqual(message.columns, []);
  assert.deepEqual(message.identity, [{ name: 'id', text: '9223372036854775807' }]);
});

test('T names the table; M (logical messages) carries nothing the tap uses', () => {
  assert.deepEqual(decodeWal2Json(TRUNCATE), { action: 'T', schema: 'public', table: 't' });
  assert.deepEqual(decodeWal2Json(MESSAGE), { action: 'M' });
});

test('an unknown action is an error naming it', () => {
  assert.throws(() => decodeWal2Json('{"action":"X"}'), /unknown wal2json action "X"/);
});

test('numbers written as strings (numeric-data-types-as-string, wal2json 2.6+) keep their text too', () => {
  const message = row('{"action":"I","schema":"s","table":"t","columns":[{"name":"n","type":"numeric","value":"1.10"},{"name":"f","type":"real","value":"NaN"},{"name":"g","type":"double precision","value":"-Infinity"}]}');
  assert.deepEqual(texts(message.columns), { n: '1.10', f: 'NaN', g: '-Infinity' });
});

test('strings with escaped quotes, backslashes and digits are never touched; numbers after them still are', () => {
  const cases: [string, string][] = [
    ['\\"123\\"', '"123"'],
    ['\\\\', '\\'],
    ['\\\\\\"7', '\\"7'],
    ['ends with a backslash \\\\', 'ends with a backslash \\'],
    ['-1.5e+10', '-1.5e+10'],
    ['\\u0022 42 \\u005c', '" 42 \\'],
    ['{\\"k\\": 12345678901234567890}', '{"k": 12345678901234567890}'],
  ];
  for (const [json, text] of cases) {
    const doc = `{"action":"I","schema":"s1","table":"t2","columns":[{"name":"s","type":"text","value":"${json}"},{"name":"n","type":"bigint","value":9007199254740993}]}`;
    const message = row(doc);
    assert.deepEqual(texts(message.columns), { s: text, n: '9007199254740993' }, json);
  }
});

test('names with digits, quotes and dots are kept', () => {
  const message = row('{"action":"I","schema":"s.1","table":"t\\"2","columns":[{"name":"1a","type":"integer","value":1},{"name":"a\\"b","type":"text","value":"x"}]}');
  assert.equal(message.schema, 's.1');
  assert.equal(message.table, 't"2');
  assert.deepEqual(texts(message.columns), { '1a': '1', 'a"b': 'x' });
});

test('bare numbers of any size or form keep their exact text, with spaces around tokens', () => {
  const numbers = ['0', '-0', '1', '-1', '0.1', '100000000000000000000000000000000000000000001', '1e308', '1e-400', '-1.000000000000000000000000000001', '-4.5E-6'];
  const columns = numbers.map((n, i) => `{"name":"c${i}", "type":"numeric" , "value": ${n} }`).join(' , ');
  const message = row(`{ "action" : "I", "schema":"public","table":"t","columns":[ ${columns} ] }`);
  assert.deepEqual(message.columns.map((c) => c.text), numbers);
});

test('unknown keys, nested objects and arrays are skipped; strings with escapes decode', () => {
  const message = row('{"action":"U","xid":123,"origin":0,"extra":{"a":[1,{"b":"}]"}],"c":null},"schema":"s","table":"t",'
    + '"columns":[{"name":"a","type":"text","typeoid":25,"optional":true,"value":"x\\"1 \\\\ \\u00e9"}],"pk":[{"name":"a","type":"text"}]}');
  assert.deepEqual(message.columns, [{ name: 'a', text: 'x"1 \\ é' }]);
});

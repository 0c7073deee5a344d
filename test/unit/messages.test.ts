import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activateVersionMessage, RecordLineFormatter, schemaMessage, stateMessage } from '../../src/singer/messages.js';

/** One line, ending in a newline, that parses as one JSON object. */
function parseLine(line: string): Record<string, unknown> {
  assert.ok(line.endsWith('\n'), `line must end in \\n: ${JSON.stringify(line)}`);
  assert.equal(line.indexOf('\n'), line.length - 1, 'exactly one newline, at the end');
  assert.ok(!line.includes('\r'), 'no carriage return');
  const parsed: unknown = JSON.parse(line);
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed));
  return parsed as Record<string, unknown>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

test('SCHEMA message', () => {
  const schema = { type: 'object', properties: { id: { type: 'integer' }, 'na"me': { type: ['null', 'string'] } } };
  const message = parseLine(schemaMessage('my "stream"\n', JSON.stringify(schema), ['id'], ['updated_at']));
  assert.deepEqual(message, {
    type: 'SCHEMA', stream: 'my "stream"\n', schema, key_properties: ['id'], bookmark_properties: ['updated_at'],
  });
});

test('SCHEMA message with no keys', () => {
  const message = parseLine(schemaMessage('s', '{"type":"object","properties":{}}', [], []));
  assert.deepEqual(message.key_properties, []);
  assert.equal(message.type, 'SCHEMA');
});

test('SCHEMA message keeps the schema text verbatim (exact bounds)', () => {
  const schemaJson = '{"type":"object","properties":{"n":{"type":"integer","minimum":-9223372036854775808,"maximum":9223372036854775807}}}';
  const line = schemaMessage('s', schemaJson, [], []);
  assert.ok(line.includes(schemaJson));
  parseLine(line);
});

test('STATE message', () => {
  const value = { currently_syncing: 'db-public-orders', bookmarks: { 'db-public-orders': { lsn: '123456789', version: 1700000000000, xmin: null } } };
  const message = parseLine(stateMessage(value));
  assert.deepEqual(message, { type: 'STATE', value });
});

test('STATE message with awkward strings stays one line', () => {
  const value = { bookmarks: { 'db-public-t': { replication_key_value: 'line1\nline2\u2028"\\' } } };
  assert.deepEqual(parseLine(stateMessage(value)).value, value);
});

test('ACTIVATE_VERSION message', () => {
  const message = parseLine(activateVersionMessage('orders', 1700000000000));
  assert.deepEqual(message, { type: 'ACTIVATE_VERSION', stream: 'orders', version: 1700000000000 });
});

test('RECORD lines carry each fragment verbatim', () => {
  const formatter = new RecordLineFormatter('orders', ['id', 'amount', 'name', 'tags', 'doc'], 1700000000000);
  const line = formatter.format(['9223372036854775807', '12345678901234567890.000000000000000001', '"Ada"', '["a","b"]', '{"k":[1,{"x":null}]}']);
  assert.ok(line.includes('"id":9223372036854775807'), line);
  assert.ok(line.includes('"amount":12345678901234567890.000000000000000001'), line);
  assert.ok(line.includes('"tags":["a","b"]'), line);
  assert.ok(line.includes('"doc":{"k":[1,{"x":null}]}'), line);
  const message = parseLine(line);
  assert.equal(message.type, 'RECORD');
  assert.equal(message.stream, 'orders');
  assert.equal(message.version, 1700000000000);
  const record = message.record as Record<string, unknown>;
  assert.deepEqual(Object.keys(record), ['id', 'amount', 'name', 'tags', 'doc']);
  assert.equal(record.name, 'Ada');
  assert.deepEqual(record.tags, ['a', 'b']);
});

test('RECORD: null fragments are JSON null', () => {
  const formatter = new RecordLineFormatter('s', ['a', 'b', 'c'], null);
  const line = formatter.format([null, '1', null]);
  assert.ok(line.includes('"record":{"a":null,"b":1,"c":null}'), line);
  assert.deepEqual(parseLine(line).record, { a: null, b: 1, c: null });
});

test('RECORD: column and stream names that need escaping', () => {
  const columns = ['with "quotes"', 'back\\slash', 'unicode é ✓ 😀', 'new\nline', 'tab\t', '\u0001ctl', '\u2028sep'];
  const formatter = new RecordLineFormatter('str"eam\\', columns, null);
  const line = formatter.format(columns.map((_, index) => String(index)));
  const message = parseLine(line);
  assert.equal(message.stream, 'str"eam\\');
  assert.deepEqual(Object.keys(message.record as object), columns);
  assert.deepEqual(Object.values(message.record as object), [0, 1, 2, 3, 4, 5, 6]);
});

test('RECORD: version omitted when null, present when given (including 0)', () => {
  const without = parseLine(new RecordLineFormatter('s', ['a'], null).format(['1']));
  assert.ok(!('version' in without));
  const withZero = parseLine(new RecordLineFormatter('s', ['a'], 0).format(['1']));
  assert.equal(withZero.version, 0);
});

test('RECORD: time_extracted is an ISO string, settable per batch', () => {
  const formatter = new RecordLineFormatter('s', ['a'], 5);
  const first = parseLine(formatter.format(['1']));
  assert.equal(typeof first.time_extracted, 'string');
  assert.match(first.time_extracted as string, ISO);
  assert.ok(Math.abs(Date.parse(first.time_extracted as string) - Date.now()) < 60_000);
  formatter.setTimeExtracted(new Date('2024-01-02T03:04:05.678Z'));
  const second = parseLine(formatter.format(['2']));
  assert.equal(second.time_extracted, '2024-01-02T03:04:05.678Z');
  assert.equal(second.version, 5);
});

test('RECORD: the formatter can be reused for many rows', () => {
  const formatter = new RecordLineFormatter('s', ['id', 'v'], null);
  const lines = ['1', '2', '3'].map((id) => formatter.format([id, `"v${id}"`]));
  assert.deepEqual(lines.map((line) => parseLine(line).record), [{ id: 1, v: 'v1' }, { id: 2, v: 'v2' }, { id: 3, v: 'v3' }]);
});

test('RECORD: a stream with no columns', () => {
  const message = parseLine(new RecordLineFormatter('s', [], null).format([]));
  assert.deepEqual(message.record, {});
});

test('RECORD: exact digits survive into the text (not through a float)', () => {
  const line = new RecordLineFormatter('s', ['big', 'dec'], null).format(['9223372036854775807', '0.10000000000000000001']);
  assert.match(line, /"big":9223372036854775807[,}]/);
  assert.match(line, /"dec":0\.10000000000000000001[,}]/);
  assert.ok(!line.includes('9223372036854776000'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineBuffer } from '../../src/singer/line-buffer.js';
import { RecordLineFormatter } from '../../src/singer/messages.js';
import { changeFormatter, DELETED_AT } from '../../src/sync/logical/change-formatter.js';
import { RecordBytes } from '../../src/sync/logical/record-bytes.js';
import { decodeWal2Json } from '../../src/sync/logical/wal2json-message.js';
import { COLUMNS_KEY, RowSlots, TableKeyReader, tokenText, Wal2JsonRowReader } from '../../src/sync/logical/wal2json-row.js';
import { valueConverter, type ConvertOptions, type PgColumnType } from '../../src/values/index.js';
import { textDecode } from '../../src/postgres/catalog/server-encoding.js';
import { arrayOf, base, COLUMNS } from './value-samples.js';

const NUMERIC = new Set(['int8', 'int4', 'numeric', 'float8', 'float4']);

/** The token wal2json writes for a value (escape_json and JSON.stringify agree on valid UTF-8). */
function token(type: PgColumnType, text: string | null, numbersAsStrings: boolean): string {
  if (text === null) return 'null';
  if (NUMERIC.has(type.typname)) {
    if (numbersAsStrings) return JSON.stringify(text);
    return /^-?Infinity$|^NaN$/.test(text) ? 'null' : text;
  }
  if (type.typname === 'bool') return text === 't' ? 'true' : 'false';
  if (type.typname === 'bytea') return JSON.stringify(text.slice(2));
  return JSON.stringify(text);
}

/** Row r takes each column's value r (modulo its list), a null every seventh row. */
function documents(numbersAsStrings: boolean): string[] {
  const rows = Math.max(...COLUMNS.map((column) => column.texts.length)) + 1;
  return Array.from({ length: rows }, (_, r) => {
    const values = COLUMNS.map((column, c) => {
      const text = (r + c) % 7 === 6 ? null : (column.texts[r % column.texts.length] as string);
      return `{"name":"${column.name}","value":${token(column.type, text, numbersAsStrings)}}`;
    });
    return `{"action":"U","timestamp":"2026-11-25 10:05:54.256785+00","lsn":"0/1948EC0","schema":"public","table":"all","columns":[${values.join(',')}]}`;
  });
}

const OPTION_SETS: ConvertOptions[] = [{}, { outOfRange: 'clamp' }, { dateFormat: 'date', jsonForm: 'string' }];

function bytesLine(formatter: ReturnType<typeof changeFormatter>, text: string): string | null {
  const data = Buffer.from(text);
  const keys = new TableKeyReader();
  assert.ok(keys.read(data, 0));
  const slots = new RowSlots(COLUMNS.length);
  slots.clear();
  assert.notEqual(new Wal2JsonRowReader(COLUMNS.map((column) => column.name)).readArray(data, keys.next, COLUMNS_KEY, slots), -1);
  const out = new LineBuffer(() => assert.fail('one line fits a chunk'));
  if (!formatter.upsertBytes(data, slots, out)) return null;
  out.endLine();
  return out.buf.toString('utf8', 0, out.pos);
}

test('a line written from bytes is byte-identical to the line the converters write from the decoded values', () => {
  for (const options of OPTION_SETS) {
    for (const numbersAsStrings of [false, true]) {
      const shape = {
        names: COLUMNS.map((column) => column.name),
        converters: COLUMNS.map((column) => valueConverter(column.type, { ...options, onOutOfRange: () => undefined })),
        keys: ['i8'],
        bytea: new Set(['bin']),
        types: COLUMNS.map((column) => column.type),
      };
      const formatter = changeFormatter('all', shape, 7);
      for (const text of documents(numbersAsStrings)) {
        const general = decodeWal2Json(text);
        assert.ok(general.action === 'U');
        const expected = formatter.upsert(general.columns).line;
        assert.equal(bytesLine(formatter, text), expected, `${JSON.stringify(options)} numbers as strings ${numbersAsStrings}: ${text}`);
      }
    }
  }
});

test('plain values take the byte forms: the converter sees only what they leave to it', () => {
  const plain: Record<string, string> = {
    i8: '-12', num: '-0.50', f8: '1e+30', b: 'true', txt: '"a \\"b\\""', tstz: '"2021-03-04 05:06:07.1+00"', ts: '"2021-03-04 05:06:07"', d: '"2021-03-04"',
    jb: '"{\\"a\\": [1, \\"x\\"]}"', ia: '"{{1,-2},{3,4}}"', fa: '"{1e+30,-0.5}"', u: '"e4774cdd-a079-3f86-414e-8b9140bb6db4"',
  };
  const names = Object.keys(plain);
  const types = names.map((name) => COLUMNS.find((column) => column.name === name)?.type as PgColumnType);
  const converters = types.map((type) => valueConverter(type));
  const literal = types.map((type) => ['text', 'uuid'].includes(type.typname));
  const parts = new RecordLineFormatter('all', [...names, DELETED_AT], 1).parts;
  const converted: string[] = [];
  const record = new RecordBytes(parts, types, converters, literal);
  const text = `{"columns":[${names.map((name) => `{"name":"${name}","value":${plain[name]}}`).join(',')}]}`;
  const data = Buffer.from(text);
  const slots = new RowSlots(names.length);
  slots.clear();
  assert.notEqual(new Wal2JsonRowReader(names).readArray(data, 1, COLUMNS_KEY, slots), -1);
  const out = new LineBuffer(() => undefined);
  assert.ok(record.write(data, slots, out, (i, value) => {
    converted.push(names[i] as string);
    return (converters[i] as (text: string) => string)(tokenText(value));
  }));
  assert.deepEqual(converted, []);
  const line = JSON.parse(out.buf.toString('utf8', 0, out.pos)) as { record: Record<string, unknown> };
  assert.deepEqual(line.record, {
    i8: -12, num: -0.5, f8: 1e30, b: true, txt: 'a "b"', tstz: '2021-03-04T05:06:07.100000+00:00', ts: '2021-03-04T05:06:07.000000+00:00', d: '2021-03-04T00:00:00.000000+00:00',
    jb: { a: [1, 'x'] }, ia: [[1, -2], [3, 4]], fa: [1e30, -0.5], u: 'e4774cdd-a079-3f86-414e-8b9140bb6db4', [DELETED_AT]: null,
  });
});

test('a row without one of its columns (an unchanged TOASTed value) is left to the general path, nothing written', () => {
  const types = [base('int8', 'N'), base('text', 'S')];
  const record = new RecordBytes(new RecordLineFormatter('t', ['id', 'note', DELETED_AT], 1).parts, types, types.map((type) => valueConverter(type)), [false, true]);
  const data = Buffer.from('{"columns":[{"name":"id","value":1}]}');
  const slots = new RowSlots(2);
  slots.clear();
  assert.notEqual(new Wal2JsonRowReader(['id', 'note']).readArray(data, 1, COLUMNS_KEY, slots), -1);
  const out = new LineBuffer(() => undefined);
  assert.equal(record.write(data, slots, out, () => assert.fail('not converted')), false);
  assert.equal(out.pos, 0);
});

test('a converter text longer than its token never runs past the chunk, wherever the line starts in it', () => {
  // bool[] has no byte form and grows threefold ('{f,f}' → [false,false]), using up room meant for
  // the columns after it; dates grow too.
  const flags = JSON.stringify(`{${Array.from({ length: 50 }, () => 'f').join(',')}}`);
  const columns = [
    { name: 'id', type: base('int8', 'N'), value: '1' },
    ...Array.from({ length: 5 }, (_, i) => ({ name: `flags_${i}`, type: arrayOf(base('bool', 'B')), value: flags })),
    ...Array.from({ length: 15 }, (_, i) => ({ name: `day_${i}_with_a_long_column_name`, type: base('date', 'D'), value: '"2021-03-04"' })),
  ];
  const names = columns.map((column) => column.name);
  const types = columns.map((column) => column.type);
  const converters = types.map((type) => valueConverter(type));
  const record = new RecordBytes(new RecordLineFormatter('t', [...names, DELETED_AT], 1).parts, types, converters, types.map(() => false));
  const data = Buffer.from(`{"columns":[${columns.map((column) => `{"name":"${column.name}","value":${column.value}}`).join(',')}]}`);
  const slots = new RowSlots(names.length);
  slots.clear();
  assert.notEqual(new Wal2JsonRowReader(names).readArray(data, 1, COLUMNS_KEY, slots), -1);
  const fragment = (i: number, token: string): string => (converters[i] as (text: string) => string)(tokenText(token));
  let expected: string | null = null;
  for (let free = 1; free <= 4096; free++) {
    const sent: Buffer[] = [];
    const out = new LineBuffer((chunk) => sent.push(Buffer.from(chunk)));
    out.pos = out.buf.length - free; // earlier lines fill the chunk up to here
    out.endLine();
    const lineStart = out.pos;
    assert.ok(record.write(data, slots, out, fragment));
    const line = out.buf.toString('utf8', sent.length > 0 ? 0 : lineStart, out.pos);
    expected ??= line;
    assert.equal(line, expected, `${free} bytes free`);
  }
  assert.ok(JSON.parse(expected as string));
});

test('a LATIN1 database: text is decoded from its encoding, the same on both paths', () => {
  const decode = textDecode('LATIN1');
  assert.ok(decode !== null);
  const types = [base('int8', 'N'), base('text', 'S'), base('jsonb', 'U')];
  const shape = { names: ['id', 'note', 'doc'], converters: types.map((type) => valueConverter(type)), keys: ['id'], types, text: { decode, utf8: false } };
  const formatter = changeFormatter('t', shape, 1);
  // wal2json writes the database's bytes: LATIN1 'é' is the single byte 0xE9 (invalid as UTF-8).
  const data = Buffer.from('{"action":"I","schema":"public","table":"t","columns":[{"name":"id","value":1},{"name":"note","value":"café"},{"name":"doc","value":"{\\"k\\": \\"é\\"}"}]}', 'latin1');
  const keys = new TableKeyReader(decode);
  assert.ok(keys.read(data, 0));
  const slots = new RowSlots(3);
  slots.clear();
  assert.notEqual(new Wal2JsonRowReader(shape.names, decode).readArray(data, keys.next, COLUMNS_KEY, slots), -1);
  const out = new LineBuffer(() => undefined);
  assert.ok(formatter.upsertBytes(data, slots, out));
  const line = out.buf.toString('utf8', 0, out.pos);
  const general = decodeWal2Json(decode(data, 0, data.length));
  assert.ok(general.action === 'I');
  assert.equal(line, formatter.upsert(general.columns).line);
  assert.deepEqual((JSON.parse(line) as { record: unknown }).record, { id: 1, note: 'café', doc: { k: 'é' }, _sdc_deleted_at: null });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyRowScanner } from '../../src/postgres/copy/copy-row-scanner.js';
import { LineBuffer } from '../../src/singer/line-buffer.js';
import { RecordLineFormatter } from '../../src/singer/messages.js';
import { ConversionFailed, CopyRecordBytes } from '../../src/sync/copy-record-bytes.js';
import { valueConverter, type ConvertOptions, type PgColumnType } from '../../src/values/index.js';
import { base, COLUMNS } from './value-samples.js';

/** A value as COPY text format writes it: backslash, line breaks, tab and \b \f \v escaped, NULL as \N. */
function copyField(text: string | null): string {
  if (text === null) return '\\N';
  return text.replace(/[\\\n\r\t\b\f\v]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' })[c] as string);
}

/** Row r takes each column's value r (modulo its list), a null every seventh row. */
function rows(): (string | null)[][] {
  const count = Math.max(...COLUMNS.map((column) => column.texts.length)) + 1;
  return Array.from({ length: count }, (_, r) => COLUMNS.map((column, c) => ((r + c) % 7 === 6 ? null : (column.texts[r % column.texts.length] as string))));
}

const OPTION_SETS: ConvertOptions[] = [{}, { outOfRange: 'clamp' }, { dateFormat: 'date', jsonForm: 'string' }, { numberAsString: true }, { jsonText: true }];

function byteLines(record: CopyRecordBytes, text: Buffer, chunk: number): string[] {
  const scanner = new CopyRowScanner(COLUMNS.length);
  const lines: string[] = [];
  const out = new LineBuffer((complete) => lines.push(...complete.toString('utf8').split('\n').slice(0, -1)));
  for (let at = 0; at < text.length; at += chunk) {
    scanner.feed(text.subarray(at, at + chunk));
    while (scanner.next()) {
      record.write(scanner, out);
      out.endLine();
    }
  }
  scanner.end();
  out.flush();
  return lines;
}

test('a line written from COPY bytes is byte-identical to the line the converters write from the texts, however the rows are cut', () => {
  const names = COLUMNS.map((column) => column.name);
  const texts = rows();
  const copyText = Buffer.from(texts.map((row) => row.map(copyField).join('\t') + '\n').join(''));
  for (const options of OPTION_SETS) {
    const converters = COLUMNS.map((column) => valueConverter(column.type, { ...options, onOutOfRange: () => undefined }));
    const formatter = new RecordLineFormatter('all', names, 7);
    const expected = texts.map((row) => formatter.format(row.map((text, i) => (text === null ? null : (converters[i] as (t: string) => string)(text)))).slice(0, -1));
    const record = new CopyRecordBytes(formatter.parts, COLUMNS.map((column) => column.type), converters);
    for (const chunk of [copyText.length, 64, 7, 1]) assert.deepEqual(byteLines(record, copyText, chunk), expected, `${JSON.stringify(options)}, chunks of ${chunk} bytes`);
  }
});

test('plain values take the byte forms: the converter sees only what they leave to it', () => {
  const plain: Record<string, string> = {
    i8: '-12', num: '-0.50', f8: '1e+30', b: 't', txt: 'a b é ☃', tstz: '2021-03-04 05:06:07.1+00', ts: '2021-03-04 05:06:07', d: '2021-03-04',
    jb: '{"a": [1, "x"]}', ia: '{{1,-2},{3,4}}', fa: '{1e+30,-0.5}', u: 'e4774cdd-a079-3f86-414e-8b9140bb6db4', bin: '\\\\x0102ff',
  };
  const names = Object.keys(plain);
  const types = names.map((name) => COLUMNS.find((column) => column.name === name)?.type as PgColumnType);
  const converted: string[] = [];
  const converters = types.map((type, i) => {
    const convert = valueConverter(type);
    return (text: string): string => {
      converted.push(names[i] as string);
      return convert(text);
    };
  });
  const record = new CopyRecordBytes(new RecordLineFormatter('all', names, 1).parts, types, converters);
  converted.length = 0; // the samples checked when the writer was built
  const scanner = new CopyRowScanner(names.length);
  scanner.feed(Buffer.from(names.map((name) => plain[name]).join('\t') + '\n'));
  assert.ok(scanner.next());
  const out = new LineBuffer(() => undefined);
  record.write(scanner, out);
  assert.deepEqual(converted, []);
  const line = JSON.parse(out.buf.toString('utf8', 0, out.pos)) as { record: Record<string, unknown> };
  assert.deepEqual(line.record, {
    i8: -12, num: -0.5, f8: 1e30, b: true, txt: 'a b é ☃', tstz: '2021-03-04T05:06:07.100000+00:00', ts: '2021-03-04T05:06:07.000000+00:00', d: '2021-03-04T00:00:00.000000+00:00',
    jb: { a: [1, 'x'] }, ia: [[1, -2], [3, 4]], fa: [1e30, -0.5], u: 'e4774cdd-a079-3f86-414e-8b9140bb6db4', bin: '0102ff',
  });
});

test('a value with something to escape goes to the converter, and its line is still exact', () => {
  const types = [base('text', 'S')];
  const record = new CopyRecordBytes(new RecordLineFormatter('t', ['note'], null).parts, types, [valueConverter(types[0] as PgColumnType)]);
  const values = ['say "hi"', 'back\\slash', 'tab\there', 'bell \u0007', 'line\nbreak', 'café 😀'];
  const scanner = new CopyRowScanner(1);
  scanner.feed(Buffer.from(values.map((value) => copyField(value) + '\n').join('')));
  const out = new LineBuffer(() => undefined);
  for (const value of values) {
    assert.ok(scanner.next());
    const at = out.pos;
    record.write(scanner, out);
    out.endLine();
    const line = JSON.parse(out.buf.toString('utf8', at, out.pos)) as { record: { note: string } };
    assert.equal(line.record.note, value);
  }
});

test('a converter that throws is reported with its column, and the line begun can be dropped whole', () => {
  const types = [base('int4', 'N'), base('interval', 'T')];
  const converters = [valueConverter(types[0] as PgColumnType), (): string => { throw new Error('malformed'); }];
  const record = new CopyRecordBytes(new RecordLineFormatter('t', ['id', 'span'], null).parts, types, converters);
  const scanner = new CopyRowScanner(2);
  scanner.feed(Buffer.from('1\t1 day\n'));
  assert.ok(scanner.next());
  const out = new LineBuffer(() => undefined);
  out.text('{"type":"STATE"}\n');
  out.endLine();
  const before = out.pos;
  assert.throws(() => record.write(scanner, out), (error: unknown) => error instanceof ConversionFailed && error.column === 1 && (error.cause as Error).message === 'malformed');
  assert.ok(out.pos > before, 'part of the line was written');
  out.abandonLine();
  assert.equal(out.buf.toString('utf8', 0, out.pos), '{"type":"STATE"}\n');
});

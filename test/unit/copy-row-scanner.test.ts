import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyRowScanner, RowTooLarge, type CopyRow } from '../../src/postgres/copy/copy-row-scanner.js';
import { unescapeField } from '../../src/postgres/copy/unescape-field.js';

/** The scanner driven the way read-records drives it, rows read as texts. */
class CopyTextParser {
  private readonly scanner: CopyRowScanner;

  constructor(maxRowBytes?: number) {
    this.scanner = new CopyRowScanner(8, maxRowBytes);
  }

  push(chunk: Buffer, onRow: (row: CopyRow) => void): number {
    this.scanner.feed(chunk);
    let rows = 0;
    for (; this.scanner.next(); rows++) onRow(this.scanner.row());
    return rows;
  }

  end(): void {
    this.scanner.end();
  }
}

/** One line of COPY text as a row. */
function parseLine(line: string): CopyRow {
  const rows: CopyRow[] = [];
  const parser = new CopyTextParser();
  parser.push(Buffer.from(`${line}\n`), (row) => rows.push(row));
  parser.end();
  assert.equal(rows.length, 1);
  return rows[0] as CopyRow;
}

/** COPY text as PostgreSQL writes it, and the rows it stands for. */
const SAMPLE_TEXT = [
  '1\tcafé\t\\N\n',
  '2\t✓ done\t\n',
  '3\t😀 emoji 🎉\t\\N\n',
  '4\ttab\\there\\nnew\\rline\tback\\\\slash\n',
  '5\t\\b\\f\\v\t\\101\\x42\n',
  '6\t\\303\\251\\xe2\\x9c\\x93\t\\360\\237\\230\\200\n',
  '7\t\t\\N\n',
  '8\t\\\\N\tlast ü\n',
].join('');

const SAMPLE_ROWS: CopyRow[] = [
  ['1', 'café', null],
  ['2', '✓ done', ''],
  ['3', '😀 emoji 🎉', null],
  ['4', 'tab\there\nnew\rline', 'back\\slash'],
  ['5', '\b\f\v', 'AB'],
  ['6', 'é✓', '😀'],
  ['7', '', null],
  ['8', '\\N', 'last ü'],
];

const SAMPLE = Buffer.from(SAMPLE_TEXT, 'utf8');

function parseChunks(chunks: readonly Buffer[]): { rows: CopyRow[]; counted: number } {
  const parser = new CopyTextParser();
  const rows: CopyRow[] = [];
  let counted = 0;
  for (const chunk of chunks) counted += parser.push(chunk, (row) => rows.push(row));
  parser.end();
  return { rows, counted };
}

test('the sample parses whole', () => {
  const { rows, counted } = parseChunks([SAMPLE]);
  assert.deepEqual(rows, SAMPLE_ROWS);
  assert.equal(counted, SAMPLE_ROWS.length);
});

test('the sample contains multi-byte characters (so splits land inside them)', () => {
  assert.ok(SAMPLE.length > SAMPLE_TEXT.length, 'sample should have multi-byte UTF-8');
});

test('every single split point of the sample gives the same rows', () => {
  for (let i = 0; i <= SAMPLE.length; i++) {
    const { rows, counted } = parseChunks([SAMPLE.subarray(0, i), SAMPLE.subarray(i)]);
    assert.deepEqual(rows, SAMPLE_ROWS, `split at byte ${i}`);
    assert.equal(counted, SAMPLE_ROWS.length, `row count with split at byte ${i}`);
  }
});

test('every pair of split points (three chunks) gives the same rows', () => {
  for (let i = 0; i <= SAMPLE.length; i++) {
    for (let j = i; j <= SAMPLE.length; j++) {
      const { rows } = parseChunks([SAMPLE.subarray(0, i), SAMPLE.subarray(i, j), SAMPLE.subarray(j)]);
      assert.deepEqual(rows, SAMPLE_ROWS, `splits at bytes ${i} and ${j}`);
    }
  }
});

test('one byte at a time gives the same rows', () => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < SAMPLE.length; i++) chunks.push(SAMPLE.subarray(i, i + 1));
  assert.deepEqual(parseChunks(chunks).rows, SAMPLE_ROWS);
});

test('splits inside each byte of a 2-, 3- and 4-byte character', () => {
  for (const ch of ['é', '✓', '😀']) {
    const buffer = Buffer.from(`a${ch}b\t${ch}\n`, 'utf8');
    for (let i = 0; i <= buffer.length; i++) {
      const { rows } = parseChunks([buffer.subarray(0, i), buffer.subarray(i)]);
      assert.deepEqual(rows, [[`a${ch}b`, ch]], `${ch} split at byte ${i}`);
    }
  }
});

test('push returns the number of complete rows in the chunk and keeps the rest', () => {
  const parser = new CopyTextParser();
  const rows: CopyRow[] = [];
  assert.equal(parser.push(Buffer.from('a\tb\nc\t'), (row) => rows.push(row)), 1);
  assert.deepEqual(rows, [['a', 'b']] as CopyRow[]);
  assert.equal(parser.push(Buffer.from('d'), (row) => rows.push(row)), 0);
  assert.equal(parser.push(Buffer.from('\ne\tf\n'), (row) => rows.push(row)), 2);
  assert.deepEqual(rows, [['a', 'b'], ['c', 'd'], ['e', 'f']]);
  parser.end();
});

test('\\N is NULL, an empty field is the empty string', () => {
  assert.deepEqual(parseLine('\\N'), [null]);
  assert.deepEqual(parseLine(''), ['']);
  assert.deepEqual(parseLine('\t\\N\t'), ['', null, '']);
  assert.deepEqual(parseLine('\\N\t\\N'), [null, null]);
  assert.deepEqual(parseLine('x\t\t'), ['x', '', '']);
});

test('an escaped backslash followed by N is the text \\N, not NULL', () => {
  assert.deepEqual(parseLine('\\\\N'), ['\\N']);
});

test('simple escapes', () => {
  assert.equal(unescapeField('\\t'), '\t');
  assert.equal(unescapeField('\\n'), '\n');
  assert.equal(unescapeField('\\r'), '\r');
  assert.equal(unescapeField('\\\\'), '\\');
  assert.equal(unescapeField('\\b'), '\b');
  assert.equal(unescapeField('\\f'), '\f');
  assert.equal(unescapeField('\\v'), '\v');
  assert.equal(unescapeField('a\\tb\\nc\\\\d'), 'a\tb\nc\\d');
  // Any other escaped character stands for itself.
  assert.equal(unescapeField('\\q\\.'), 'q.');
});

test('octal and hex escapes are bytes decoded as UTF-8', () => {
  assert.equal(unescapeField('\\101'), 'A');
  assert.equal(unescapeField('\\1012'), 'A2', 'at most three octal digits');
  assert.equal(unescapeField('\\11'), '\t', 'fewer than three octal digits');
  assert.equal(unescapeField('\\x41'), 'A');
  assert.equal(unescapeField('\\x4'), '\x04', 'one hex digit');
  assert.equal(unescapeField('\\x41F'), 'AF', 'at most two hex digits');
  assert.equal(unescapeField('\\303\\251'), 'é');
  assert.equal(unescapeField('\\xc3\\xa9'), 'é');
  assert.equal(unescapeField('\\xe2\\x9c\\x93'), '✓');
  assert.equal(unescapeField('\\360\\237\\230\\200'), '😀');
  assert.equal(unescapeField('x\\303\\251y\\x41z'), 'xéyAz');
});

test('a row with one column', () => {
  const { rows } = parseChunks([Buffer.from('only\n\\N\n\nlast\\tone\n')]);
  assert.deepEqual(rows, [['only'], [null], [''], ['last\tone']]);
});

test('end() after complete rows does not throw', () => {
  const parser = new CopyTextParser();
  parser.push(Buffer.from('a\tb\n'), () => {});
  assert.doesNotThrow(() => parser.end());
});

test('end() with no input does not throw', () => {
  assert.doesNotThrow(() => new CopyTextParser().end());
});

test('a trailing partial row makes end() throw', () => {
  const parser = new CopyTextParser();
  const rows: CopyRow[] = [];
  parser.push(Buffer.from('1\tfull\n2\tpart'), (row) => rows.push(row));
  assert.deepEqual(rows, [['1', 'full']] as CopyRow[]);
  assert.throws(() => parser.end(), /middle of a row/);
});

test('a trailing partial multi-byte character makes end() throw', () => {
  const parser = new CopyTextParser();
  const bytes = Buffer.from('1\t✓\n2\t✓', 'utf8');
  parser.push(bytes.subarray(0, bytes.length - 1), () => {});
  assert.throws(() => parser.end(), /middle of a row/);
});

test('every truncation of the sample that cuts a row makes end() throw', () => {
  for (let i = 1; i < SAMPLE.length; i++) {
    if (SAMPLE[i - 1] === 0x0a) continue; // cut right after a newline: complete rows only
    const parser = new CopyTextParser();
    parser.push(SAMPLE.subarray(0, i), () => {});
    assert.throws(() => parser.end(), /middle of a row/, `truncated at byte ${i}`);
  }
});

test('a row of many chunks is scanned once: 8 MB in 64 KB chunks parses to the same value', () => {
  const value = 'x'.repeat(8 * 1024 * 1024);
  const text = Buffer.from(`1\t${value}\t\\\\x00ff\n2\tb\t\\N\n`, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < text.length; at += 65536) chunks.push(text.subarray(at, at + 65536));
  const { rows } = parseChunks(chunks);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]![1], value);
  assert.equal(rows[0]![2], '\\x00ff');
  assert.deepEqual(rows[1], ['2', 'b', null]);
});

test('a chunk the stream hands out again later does not change a kept row tail', () => {
  const parser = new CopyTextParser();
  const rows: CopyRow[] = [];
  const chunk = Buffer.from('1\tab', 'utf8');
  parser.push(chunk, (row) => rows.push(row));
  chunk.fill(0x7a);
  parser.push(Buffer.from('cd\n', 'utf8'), (row) => rows.push(row));
  assert.deepEqual(rows, [['1', 'abcd']]);
});

test('a row past the limit is RowTooLarge naming the field it reached, before it is all held', () => {
  const parser = new CopyTextParser(1000);
  const rows: CopyRow[] = [];
  parser.push(Buffer.from('1\tsmall\n2\tok\t', 'utf8'), (row) => rows.push(row));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) parser.push(Buffer.from('y'.repeat(100), 'utf8'), (row) => rows.push(row));
  }, (error: unknown) => error instanceof RowTooLarge && error.column === 2 && error.limit === 1000 && error.bytes > 1000);
  assert.deepEqual(rows, [['1', 'small']]);
});

test('unescaping keeps text between escapes whole and agrees with the escape rules', () => {
  assert.equal(unescapeField('a\\tb\\\\c\\101\\x42\\303\\251d\\'), 'a\tb\\cABéd\\');
  assert.equal(unescapeField('\\xZ\\8\\q'), 'xZ8q');
  assert.equal(unescapeField('\\\\x' + 'ab'.repeat(1000)), '\\x' + 'ab'.repeat(1000));
  assert.equal(unescapeField('\\342\\234\\223 done'), '✓ done');
});

test('the current row stays the last complete one when the chunk ends inside the next (the bookmark is read from it)', () => {
  const scanner = new CopyRowScanner(2);
  scanner.feed(Buffer.from('41769\ta\n41770\tb\n41771\tpar'));
  assert.ok(scanner.next());
  assert.ok(scanner.next());
  assert.equal(scanner.next(), false);
  assert.deepEqual(scanner.row(), ['41770', 'b']);
  scanner.feed(Buffer.from('tial\n'));
  assert.ok(scanner.next());
  assert.deepEqual(scanner.row(), ['41771', 'partial']);
  assert.equal(scanner.next(), false);
  assert.deepEqual(scanner.row(), ['41771', 'partial']);
  scanner.end();
});

test('a row past the limit names the field the limit was crossed in, also when that field began in the same chunk', () => {
  const parser = new CopyTextParser(1000);
  assert.throws(() => {
    parser.push(Buffer.from(`1\t${'x'.repeat(600)}`), () => {});
    parser.push(Buffer.from(`${'y'.repeat(100)}\t${'z'.repeat(500)}`), () => {});
  }, (error: unknown) => error instanceof RowTooLarge && error.column === 2);
});

test('row(only) reads just the fields asked for (a bookmark reads its key, not the large value beside it)', () => {
  const scanner = new CopyRowScanner(3);
  scanner.feed(Buffer.from('7\t\\\\x00ff\t\\N\n'));
  assert.ok(scanner.next());
  assert.deepEqual(scanner.row([0]), ['7', null, null]);
  assert.deepEqual(scanner.row([0, 2]), ['7', null, null]);
  assert.deepEqual(scanner.row([]), [null, null, null]);
  assert.deepEqual(scanner.row(), ['7', '\\x00ff', null]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lsn } from '../../src/state/lsn.js';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SAMPLES: Lsn[] = [0n, 1n, 0xffffffffn, 0x100000000n, 0x16b374d848n, SAFE - 1n, SAFE, SAFE + 1n, SAFE + 2n, 1n << 60n, 0xfffffffffffffffen, 0xffffffffffffffffn].map(Lsn.of);

test('parseLsn reads both hex halves, either case, 1 to 8 digits each', () => {
  assert.equal(Lsn.parse('0/0'), 0n);
  assert.equal(Lsn.parse('16/B374D848'), 0x16b374d848n);
  assert.equal(Lsn.parse('16/b374d848'), 0x16b374d848n);
  assert.equal(Lsn.parse('0/1517FF8'), 0x1517ff8n);
  assert.equal(Lsn.parse('00000001/00000000'), 0x100000000n);
  assert.equal(Lsn.parse('FFFFFFFF/FFFFFFFF'), 0xffffffffffffffffn);
});

test('parseLsn refuses anything else', () => {
  for (const text of ['', '0', '/', '1/', '/1', '123456789/0', '0/123456789', 'G/0', '0/-1', ' 0/1', '0/1 ', '0x1/2', '1.5/2', '1/2/3']) {
    assert.throws(() => Lsn.parse(text), /not an LSN/, JSON.stringify(text));
  }
});

test('formatLsn prints as PostgreSQL does (upper case, no leading zeros) and round-trips', () => {
  assert.equal(Lsn.format(Lsn.of(0n)), '0/0');
  assert.equal(Lsn.format(Lsn.ZERO), '0/0');
  assert.equal(Lsn.format(Lsn.of(0x16b374d848n)), '16/B374D848');
  assert.equal(Lsn.format(Lsn.of(0x100000000n)), '1/0');
  assert.equal(Lsn.format(Lsn.of(0xffffffffffffffffn)), 'FFFFFFFF/FFFFFFFF');
  for (const lsn of SAMPLES) assert.equal(Lsn.parse(Lsn.format(lsn)), lsn, Lsn.format(lsn));
});

test('lsnToBookmark: a JSON number while exact, a decimal string beyond 2^53', () => {
  assert.equal(Lsn.toBookmark(Lsn.of(0n)), 0);
  assert.equal(Lsn.toBookmark(Lsn.of(108537416n)), 108537416);
  assert.equal(Lsn.toBookmark(Lsn.of(SAFE)), Number.MAX_SAFE_INTEGER);
  assert.equal(Lsn.toBookmark(Lsn.of(SAFE + 1n)), '9007199254740992');
  assert.equal(Lsn.toBookmark(Lsn.of(0xffffffffffffffffn)), '18446744073709551615');
});

test('lsnFromBookmark reads numbers, decimal strings and X/Y text', () => {
  assert.equal(Lsn.fromBookmark(108537416), 108537416n);
  assert.equal(Lsn.fromBookmark(0), 0n);
  assert.equal(Lsn.fromBookmark('108537416'), 108537416n);
  assert.equal(Lsn.fromBookmark('18446744073709551615'), 0xffffffffffffffffn);
  assert.equal(Lsn.fromBookmark('16/B374D848'), 0x16b374d848n);
  assert.equal(Lsn.fromBookmark(Number.MAX_SAFE_INTEGER), SAFE);
});

test('lsnFromBookmark gives null for what is not an exact position', () => {
  for (const value of [null, undefined, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, '', '-1', '1.5', '1e5', 'abc', '1/', 'G/0', true, {}, []]) {
    assert.equal(Lsn.fromBookmark(value), null, JSON.stringify(value) ?? String(value));
  }
});

test('bookmark round trips through JSON, beyond 2^53 included', () => {
  for (const lsn of SAMPLES) {
    const text = JSON.stringify({ lsn: Lsn.toBookmark(lsn) });
    const back = Lsn.fromBookmark((JSON.parse(text) as { lsn: unknown }).lsn);
    assert.equal(back, lsn, text);
  }
});

test('minLsn: the smallest, null for none, exact beyond 2^53', () => {
  assert.equal(Lsn.min([]), null);
  assert.equal(Lsn.min([5n].map(Lsn.of)), 5n);
  assert.equal(Lsn.min([SAFE + 2n, SAFE + 1n, 0xffffffffffffffffn].map(Lsn.of)), SAFE + 1n);
  assert.equal(Lsn.min([3n, 0n, 2n].map(Lsn.of)), 0n);
  assert.throws(() => Lsn.of(-1n), /not an LSN/);
  assert.throws(() => Lsn.of(1n << 64n), /not an LSN/);
  assert.equal(Lsn.after(Lsn.of(7n)), 8n);
});

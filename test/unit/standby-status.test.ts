import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standbyStatusUpdate } from '../../src/postgres/replication/standby-status.js';
import { Lsn } from '../../src/state/lsn.js';

test('a standby status update: r, three equal positions, microseconds since 2000-01-01, the reply flag', () => {
  const message = standbyStatusUpdate(Lsn.of(0x1_0000_0002n), Date.UTC(2000, 0, 1, 0, 0, 1), true);
  assert.equal(message.length, 34);
  assert.equal(message.toString('latin1', 0, 1), 'r');
  for (const offset of [1, 9, 17]) assert.equal(message.readBigUInt64BE(offset), 0x1_0000_0002n);
  assert.equal(message.readBigInt64BE(25), 1_000_000n);
  assert.equal(message[33], 1);
});

test('nothing to confirm is sent as 0/0 (the server then leaves the slot alone), no reply asked', () => {
  const message = standbyStatusUpdate(null, Date.now(), false);
  for (const offset of [1, 9, 17]) assert.equal(message.readBigUInt64BE(offset), 0n);
  assert.equal(message[33], 0);
});

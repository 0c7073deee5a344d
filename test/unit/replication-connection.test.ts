// The streaming protocol is ours, on node-postgres's connection: if a pg release moves what we
// use (the copyData and replicationStart events, sendCopyFromChunk, stream), this fails first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { Parser } from 'pg-protocol/dist/parser.js';
import { protocolShapeProblem, startReplicationSql } from '../../src/postgres/replication/replication-connection.js';

test("pg's Connection has what the streaming protocol uses", () => {
  const client = new pg.Client({ replication: 'database' } as pg.ClientConfig);
  assert.equal(protocolShapeProblem(client.connection), null);
  assert.match(protocolShapeProblem({ on() {}, once() {}, removeAllListeners() {}, stream: {} }) ?? '', /sendCopyFromChunk/);
});

test("pg-protocol's parser names CopyBothResponse 'replicationStart' and hands CopyData over as `chunk`", () => {
  const parser = new Parser();
  const seen: { name: string; chunk?: Buffer }[] = [];
  // CopyBothResponse ('W'): text format, no columns; then a CopyData ('d') carrying an XLogData.
  const copyBoth = Buffer.from([0x57, 0, 0, 0, 7, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from([0x77]), Buffer.alloc(24), Buffer.from('{"action":"B"}')]);
  const copyData = Buffer.concat([Buffer.from([0x64]), Buffer.from([0, 0, 0, 0]), body]);
  copyData.writeUInt32BE(4 + body.length, 1);
  parser.parse(Buffer.concat([copyBoth, copyData]), (message) => seen.push(message as { name: string; chunk?: Buffer }));
  assert.deepEqual(seen.map((m) => m.name), ['replicationStart', 'copyData']);
  assert.deepEqual(seen[1]!.chunk, body);
});

test('START_REPLICATION quotes the slot and every option', () => {
  assert.equal(startReplicationSql('my "slot"', '0/16B3748', { 'add-tables': "public.o'brien", 'format-version': '2' }),
    `START_REPLICATION SLOT "my ""slot""" LOGICAL 0/16B3748 ("add-tables" 'public.o''brien', "format-version" '2')`);
});

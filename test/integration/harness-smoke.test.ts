// Proves the harness end to end: a database of our own, logical decoding with wal2json available
// to both the superuser and the tap's REPLICATION role, and the Singer stream checker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { assertSingerStream } from '../harness/singer-assert.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
before(async () => { db = await createTestDatabase('harness_smoke'); });
after(async () => { await db?.close(); });

async function createTemporaryWal2jsonSlot(config: pg.ClientConfig, slot: string): Promise<string> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query("SELECT pg_create_logical_replication_slot($1, 'wal2json', true)", [slot]);
    const { rows } = await client.query<{ plugin: string }>(
      'SELECT plugin FROM pg_replication_slots WHERE slot_name = $1 AND temporary',
      [slot],
    );
    return rows[0]!.plugin;
  } finally {
    await client.end(); // a temporary slot goes away with its session
  }
}

test('a table written as superuser reads back', async () => {
  await db.query('CREATE TABLE smoke (id int PRIMARY KEY, label text)');
  await db.query('INSERT INTO smoke VALUES ($1, $2)', [1, 'héllo']);
  assert.deepEqual(await db.query('SELECT id, label FROM smoke'), [{ id: 1, label: 'héllo' }]);
  assert.equal(db.name, 't_harness_smoke');
});

test('server runs wal_level=logical and loads wal2json', async () => {
  const [row] = await db.query<{ wal_level: string }>('SHOW wal_level');
  assert.equal(row!.wal_level, 'logical');
  assert.equal(await createTemporaryWal2jsonSlot({ connectionString: db.superUrl }, 'smoke_super'), 'wal2json');
  const cfg = db.tapConfig();
  const plugin = await createTemporaryWal2jsonSlot(
    { host: cfg.host as string, port: cfg.port as number, user: 'tapuser', password: 'tappass', database: db.name },
    'smoke_tapuser',
  );
  assert.equal(plugin, 'wal2json');
});

test('assertSingerStream accepts a valid stream and names the bad line', () => {
  const schema = {
    type: 'SCHEMA', stream: 'smoke', key_properties: ['id'],
    schema: { type: 'object', properties: { id: { type: 'integer' }, at: { type: ['null', 'string'], format: 'date-time' } } },
  };
  const good = { type: 'RECORD', stream: 'smoke', record: { id: 1, at: '2024-01-01T00:00:00.000000+00:00' } };
  assertSingerStream([schema, good, { type: 'STATE', value: {} }]);
  const bad = { type: 'RECORD', stream: 'smoke', record: { id: 1, at: '2024-01-01 00:00' } };
  assert.throws(() => assertSingerStream([schema, bad]), /line 2: .*does not match its SCHEMA/);
  assert.throws(() => assertSingerStream([good]), /line 1: RECORD for "smoke" before any SCHEMA/);
});

// Schema drift without rediscovery, per method: a column added, widened and dropped between runs
// (and, for LOG_BASED, added while the run streams). Every value of a new column arrives after a
// SCHEMA that names it; widened values are exact and allowed by the SCHEMA; a drop is a warning.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { advanceSlot, flushWal, lastState, logBasedDatabase, parseExact, QUICK, startTap, type Message } from './log-based-helpers.js';

let db: TestDatabase;
let discovered: CatalogJson;
const METHODS = ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'] as const;
const table = (method: string): string => `drift_${method.toLowerCase()}`;

before(async () => {
  db = await logBasedDatabase('schema_drift');
  await db.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$`);
  for (const method of [...METHODS, 'live']) {
    await db.query(`CREATE TABLE drift_${method.toLowerCase()} (id int PRIMARY KEY, v int, w varchar(5), n numeric(6,2), updated_at timestamptz NOT NULL);
      CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON drift_${method.toLowerCase()} FOR EACH ROW EXECUTE FUNCTION touch();
      INSERT INTO drift_${method.toLowerCase()} (id, v, w, n) VALUES (1, 1, 'abcde', 1234.56);
      GRANT SELECT ON drift_${method.toLowerCase()} TO tapuser`);
  }
  discovered = await discoverCatalog(db.tapConfig());
  await advanceSlot(db);
});

after(async () => {
  await db?.close();
});

/** Every RECORD of `stream` comes after a SCHEMA that names each of its columns. */
function assertAnnounced(lines: Message[], stream: string): void {
  let announced = new Set<string>();
  for (const line of lines) {
    if (line.stream !== stream) continue;
    if (line.type === 'SCHEMA') announced = new Set(Object.keys((line as unknown as { schema: { properties: object } }).schema.properties));
    if (line.type === 'RECORD') for (const column of Object.keys(line.record!)) assert.ok(announced.has(column), `column ${column} of ${JSON.stringify(line.record)} was announced by a SCHEMA first`);
  }
}

function exact(stdout: string, stream: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).map(parseExact).filter((m) => m.stream === stream).map((m) => m.record!);
}

for (const method of METHODS) {
  test(`${method}: a column added and one widened between runs arrive exactly under a SCHEMA that names them; a dropped one is a warning`, async () => {
    const name = table(method);
    const catalog = selectInCatalog(discovered, { [`${db.name}-public-${name}`]: { method, ...(method === 'INCREMENTAL' ? { replicationKey: 'updated_at' } : {}) } });
    const config = db.tapConfig(QUICK);
    const first = await runSync(config, catalog);
    assert.equal(first.code, 0, first.stderr);

    await db.query(`ALTER TABLE ${name} ADD COLUMN extra text, ALTER COLUMN w TYPE varchar(50), ALTER COLUMN n TYPE numeric(30,6);
      INSERT INTO ${name} (id, v, w, n, extra) VALUES (2, 2, 'a value much wider than five', 123456789012345678.123456, 'new column')`);
    await flushWal(db);
    const second = await runSync(config, catalog, lastState(first));
    assert.equal(second.code, 0, second.stderr);
    assertSingerStream(second.lines);
    assertAnnounced(second.lines as Message[], name);
    const row = exact(second.stdout, name).find((record) => record.id === '2');
    assert.ok(row !== undefined, second.stdout);
    assert.equal(row.extra, 'new column');
    assert.equal(row.w, 'a value much wider than five');
    assert.equal(row.n, '123456789012345678.123456');
    assert.match(second.stderr, /column \\?"extra\\?" was added/);
    assert.match(second.stderr, /column \\?"w\\?" changed type from character varying\(5\) to character varying\(50\)/);

    await db.query(`ALTER TABLE ${name} DROP COLUMN v; INSERT INTO ${name} (id, w, n, extra) VALUES (3, 'x', 1, 'after the drop')`);
    await flushWal(db);
    const third = await runSync(config, catalog, lastState(second));
    assert.equal(third.code, 0, third.stderr);
    assertSingerStream(third.lines);
    assert.match(third.stderr, /column \\?"v\\?" was dropped/);
    const schema = (third.lines as Message[]).find((line) => line.type === 'SCHEMA') as unknown as { schema: { properties: object } };
    assert.ok(!('v' in schema.schema.properties), 'the SCHEMA no longer names v');
    const after = exact(third.stdout, name).find((record) => record.id === '3');
    assert.deepEqual(after && [after.extra, 'v' in after], ['after the drop', false]);
  });
}

test('LOG_BASED: a column added while the run streams is followed: a new SCHEMA, then its values', async () => {
  const name = 'drift_live';
  const catalog = selectInCatalog(discovered, { [`${db.name}-public-${name}`]: { method: 'LOG_BASED' } });
  const first = await runSync(db.tapConfig(QUICK), catalog);
  assert.equal(first.code, 0, first.stderr);
  const tap = startTap(db, catalog, lastState(first), { break_at_end_lsn: false, logical_poll_total_seconds: 120 });
  await db.query(`INSERT INTO ${name} (id, v) VALUES (10, 10)`);
  await tap.waitFor((m) => m.type === 'RECORD' && m.record?.id === 10);
  await db.query(`ALTER TABLE ${name} ADD COLUMN extra jsonb; INSERT INTO ${name} (id, v, extra) VALUES (11, 11, '{"a": 1}'); UPDATE ${name} SET extra = '[2]', v = 12 WHERE id = 10`);
  await tap.waitFor((m) => m.type === 'RECORD' && m.record?.id === 10 && m.record?.v === 12);
  tap.child.kill('SIGTERM');
  const ended = await tap.done;
  assert.equal(ended.code, 143, ended.stderr);
  assertSingerStream(tap.lines);
  assertAnnounced(tap.lines, name);
  const records = tap.lines.filter((m) => m.type === 'RECORD').map((m) => m.record!);
  // A column the catalog does not describe takes the config's form: json_format string by default.
  assert.deepEqual(records.filter((r) => r.id === 11).map((r) => r.extra), ['{"a": 1}']);
  assert.deepEqual(records.filter((r) => r.id === 10).map((r) => r.extra), [undefined, '[2]']);
  assert.equal(tap.lines.filter((m) => m.type === 'SCHEMA').length, 2, 'one SCHEMA at start, one when the column appeared');
});

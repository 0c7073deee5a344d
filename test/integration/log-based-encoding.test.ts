import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { records, selectInCatalog } from '../harness/catalog-select.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { lastState, logBasedDatabase, syncOk } from './log-based-helpers.js';

/** wal2json writes text in the database's encoding: a LATIN1 database sends 'é' as the byte 0xE9. */
let db: TestDatabase;

before(async () => {
  db = await logBasedDatabase('log_based_latin1', { encoding: 'LATIN1' });
  await db.query(`
    CREATE TABLE "tàble" (id int PRIMARY KEY, "naïve" text, doc jsonb);
    INSERT INTO "tàble" VALUES (1, 'déjà vu', '{"clé": "valeur ü"}');
    GRANT SELECT ON "tàble" TO tapuser;
  `);
});

after(async () => {
  await db?.close();
});

test('a LATIN1 database: names and text in changes arrive exactly, as in the copy', async () => {
  const catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [`${db.name}-public-tàble`]: { method: 'LOG_BASED' } });
  const copy = await syncOk(db, catalog);
  assert.deepEqual(records(copy.lines), [{ id: 1, naïve: 'déjà vu', doc: '{"clé": "valeur ü"}' }]);
  await db.query(`INSERT INTO "tàble" VALUES (2, 'café ñ ß ÿ', '{"a": "ö"}'); UPDATE "tàble" SET "naïve" = 'à bientôt' WHERE id = 1; DELETE FROM "tàble" WHERE id = 2`);
  const changes = await syncOk(db, catalog, lastState(copy));
  const rows = records(changes.lines).map(({ _sdc_deleted_at: deletedAt, ...rest }) => ({ ...rest, deleted: deletedAt !== null }));
  assert.deepEqual(rows, [
    { id: 2, naïve: 'café ñ ß ÿ', doc: '{"a": "ö"}', deleted: false },
    { id: 1, naïve: 'à bientôt', doc: '{"clé": "valeur ü"}', deleted: false },
    { id: 2, deleted: true },
  ]);
});

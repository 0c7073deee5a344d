import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { lastState, logBasedDatabase, syncOk } from './log-based-helpers.js';

/**
 * A host that is a Unix-socket directory: discovery, a copy and a change stream all go through
 * the socket, in plain text whatever sslmode says (libpq never uses TLS there).
 */
let db: TestDatabase;
let socket: Record<string, unknown>;

before(async () => {
  db = await logBasedDatabase('unix_socket');
  await db.query(`
    CREATE TABLE notes (id int PRIMARY KEY, body text);
    INSERT INTO notes VALUES (1, 'one ☃');
    GRANT SELECT ON notes TO tapuser;
  `);
  socket = { host: db.socketDir, port: db.port };
});

after(async () => {
  await db?.close();
});

test('discovery, the first copy and later changes all work through the Unix socket, for every sslmode', async (t) => {
  if (db.socketDir === null) return t.skip('the suite runs against an external server without a known socket directory');
  const catalog: CatalogJson = await discoverCatalog(db.tapConfig(socket));
  const selected = selectInCatalog(catalog, { [`${db.name}-public-notes`]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected, undefined, { ...socket, sslmode: 'require' });
  assert.deepEqual(records(first.lines).map((r) => [r.id, r.body]), [[1, 'one ☃']]);
  await db.query("INSERT INTO notes VALUES (2, 'two'); UPDATE notes SET body = 'uno ☃' WHERE id = 1");
  const second = await syncOk(db, selected, lastState(first), { ...socket, sslmode: 'prefer' });
  assert.deepEqual(records(second.lines).map((r) => [r.id, r.body]), [[2, 'two'], [1, 'uno ☃']]);
  const verify = await syncOk(db, selected, lastState(second), { ...socket, sslmode: 'verify-full', ssl_root_cert: 'unused.crt' });
  assert.match(verify.stderr, /Unix-socket directory: TLS does not apply there, so sslmode verify-full verifies nothing/);
});

// Seeded writer sessions that run while the tap runs: single- and multi-row transactions (up to
// 10,000 rows), inserts, updates, deletes, primary key changes, updates that leave TOASTed values
// unchanged, TRUNCATE, a column added, rollbacks; several sessions interleaved. They survive
// server restarts and terminated sessions by reconnecting (a transaction cut off is simply gone).
import pg from 'pg';
import { insertColumns, insertValues, numericValue, TABLES, textValue, type WorkloadTable } from './workload-schema.js';

export interface WriterStats {
  transactions: number;
  rolledBack: number;
  rowChanges: number;
  truncates: number;
  columnsAdded: number;
  connectionErrors: number;
  /** Deadlocks between sessions (the server rolls one back): part of a real workload. */
  deadlocks: number;
  /** Any other failure is a bug of the workload itself: the checker fails on it. */
  otherErrors: string[];
}

export interface Writers {
  stats: WriterStats;
  /** Stops every session after its current transaction; resolves when all have ended. */
  stop(): Promise<void>;
}

interface Options {
  url: string;
  sessions: number;
  random: () => number;
  /** Milliseconds a session may rest between transactions. */
  pauseMs: number;
  /** Chance that a transaction is a large one (1,000 to 10,000 rows). */
  largeChance: number;
}

export function startWriters(options: Options): Writers {
  const stats: WriterStats = { transactions: 0, rolledBack: 0, rowChanges: 0, truncates: 0, columnsAdded: 0, connectionErrors: 0, deadlocks: 0, otherErrors: [] };
  let running = true;
  const added = new Set<string>();
  const sessions = Array.from({ length: options.sessions }, (_unused, index) => runSession(index));

  async function runSession(index: number): Promise<void> {
    // Each session draws from the shared seeded stream, so the mix is seeded; the interleaving is the server's.
    const random = options.random;
    let client: pg.Client | null = null;
    while (running) {
      try {
        client ??= await connect(options.url);
        await transaction(client, random, index);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '40P01') {
          stats.deadlocks++;
        } else if (client === null || !(client as unknown as { _queryable: boolean })._queryable || /^(57P0|08)/.test(code ?? '') || /terminat|ECONNRE|connect/i.test((error as Error).message)) {
          // The server restarted or ended the session: the transaction in flight is gone; reconnect.
          stats.connectionErrors++;
          await client?.end().catch(() => undefined);
          client = null;
          if (!running) break;
          await sleep(200 + random() * 300);
        } else {
          stats.otherErrors.push((error as Error).message);
        }
      }
      await sleep(random() * options.pauseMs);
    }
    await client?.end().catch(() => undefined);
  }

  async function transaction(client: pg.Client, random: () => number, session: number): Promise<void> {
    const table = TABLES[Math.floor(random() * TABLES.length)] as WorkloadTable;
    const roll = random();
    if (table.toast && roll < 0.004) {
      await client.query(`TRUNCATE ${table.name}`);
      stats.truncates++;
      stats.transactions++;
      return;
    }
    if (roll < 0.006 && !added.has(table.name)) {
      added.add(table.name);
      await client.query(`ALTER TABLE ${table.name} ADD COLUMN IF NOT EXISTS added_${session} integer DEFAULT 7`);
      stats.columnsAdded++;
      return;
    }
    const statements: string[] = [];
    const large = random() < options.largeChance;
    const count = large ? 1 : 1 + Math.floor(random() * (random() < 0.7 ? 1 : 8));
    for (let i = 0; i < count; i++) statements.push(operation(table, random, large));
    // Some transactions take their time between statements, as applications do: they commit late.
    if (random() < 0.05) statements.splice(1, 0, `SELECT pg_sleep(${(random() * 1.5).toFixed(2)})`);
    const rollback = random() < 0.05;
    if (statements.length === 1 && !rollback) {
      const result = await client.query(statements[0] as string);
      stats.rowChanges += result.rowCount ?? 0;
    } else {
      await client.query('BEGIN');
      let changed = 0;
      try {
        for (const sql of statements) changed += (await client.query(sql)).rowCount ?? 0;
        await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      if (rollback) stats.rolledBack++;
      else stats.rowChanges += changed;
    }
    stats.transactions++;
  }

  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(sessions);
    },
  };
}

/** One statement on `table`: rows picked from a random start id, so any row may be touched. */
function operation(table: WorkloadTable, random: () => number, large: boolean): string {
  const rows = large ? 1000 + Math.floor(random() * 9000) : 1 + Math.floor(random() * (random() < 0.8 ? 3 : 50));
  const pick = `SELECT id FROM ${table.name} WHERE id >= (SELECT (random() * last_value)::bigint FROM ids) ORDER BY id LIMIT ${rows}`;
  const kind = random();
  if (kind < 0.3) return `INSERT INTO ${table.name} (${insertColumns(table)}) SELECT ${insertValues(table, "nextval('ids')")} FROM generate_series(1, ${rows})`;
  if (kind < 0.45 && table.toast) {
    // Leaves `big` unchanged: wal2json sends the update without it (unchanged TOAST).
    return `UPDATE ${table.name} SET k = k + 1, n = ${numericValue()} WHERE id IN (${pick.replace('WHERE id', 'WHERE big IS NOT NULL AND id')})`;
  }
  if (kind < 0.7) return `UPDATE ${table.name} SET k = k + 1, txt = ${textValue()}, n = ${numericValue()} WHERE id IN (${pick})`;
  if (kind < 0.9) return `DELETE FROM ${table.name} WHERE id IN (${pick})`;
  // A primary key change: wal2json sends the old key in the identity.
  return `UPDATE ${table.name} SET id = nextval('ids'), k = k + 1 WHERE id IN (${pick.replace(`LIMIT ${rows}`, 'LIMIT 1')})`;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

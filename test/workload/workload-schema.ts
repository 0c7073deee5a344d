// The workload's tables, one family per replication method, and how each is read back from the
// source for the comparison. Every value is text as the tap writes it, so the comparison is exact.
import type pg from 'pg';

export type Method = 'LOG_BASED' | 'INCREMENTAL' | 'FULL_TABLE';

export interface WorkloadTable {
  name: string;
  method: Method;
  /** Columns compared (the catalog's; a column added during the run is not in it). */
  columns: readonly string[];
  /** LOG_BASED tables carry large TOASTed values and see TRUNCATE. */
  toast: boolean;
}

export const TABLES: readonly WorkloadTable[] = [
  { name: 'lb_orders', method: 'LOG_BASED', columns: ['id', 'k', 'txt', 'big', 'n', 'doc', 'ts'], toast: true },
  { name: 'lb_items', method: 'LOG_BASED', columns: ['id', 'k', 'txt', 'big', 'n', 'doc', 'ts'], toast: true },
  { name: 'inc_events', method: 'INCREMENTAL', columns: ['id', 'k', 'txt', 'n', 'updated_at'], toast: false },
  { name: 'ft_accounts', method: 'FULL_TABLE', columns: ['id', 'k', 'txt', 'n'], toast: false },
];

/** The INCREMENTAL key: set by a trigger from the database clock at every insert and update. */
export const REPLICATION_KEY = 'updated_at';

export async function createWorkloadSchema(client: pg.Client, initialRows: number): Promise<void> {
  await client.query(`
    CREATE SEQUENCE ids;
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
  `);
  for (const table of TABLES) {
    const name = table.name;
    if (table.method === 'LOG_BASED') {
      await client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, k integer NOT NULL, txt text, big text, n numeric(20,4), doc jsonb, ts timestamptz);
        ALTER TABLE ${name} ALTER COLUMN big SET STORAGE EXTERNAL`);
    } else if (table.method === 'INCREMENTAL') {
      await client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, k integer NOT NULL, txt text, n numeric(20,4), updated_at timestamptz NOT NULL);
        CREATE INDEX ON ${name} (updated_at);
        CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
    } else {
      await client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, k integer NOT NULL, txt text, n numeric(20,4))`);
    }
    await client.query(`INSERT INTO ${name} (${insertColumns(table)}) SELECT ${insertValues(table, 'nextval(\'ids\')')} FROM generate_series(1, ${initialRows})`);
  }
  await client.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser');
}

/** Columns an insert sets (the trigger sets the INCREMENTAL key). */
export function insertColumns(table: WorkloadTable): string {
  return table.method === 'LOG_BASED' ? 'id, k, txt, big, n, doc, ts' : 'id, k, txt, n';
}

/** Values of an insert; `big` (about 9.6 KB, stored out of line) on one row in eight. */
export function insertValues(table: WorkloadTable, id: string): string {
  const common = `${id}, (random() * 1000000)::int, ${textValue()}, ${numericValue()}`;
  if (table.method !== 'LOG_BASED') return common;
  return `${id}, (random() * 1000000)::int, ${textValue()},
    CASE WHEN random() < 0.125 THEN repeat(md5(random()::text), 300) END, ${numericValue()},
    jsonb_build_object('r', (random() * 1000)::int, 's', 'q"\\' || md5(random()::text)), clock_timestamp()`;
}

export function textValue(): string {
  return `CASE WHEN random() < 0.1 THEN NULL ELSE 'v ' || md5(random()::text) || E' \\u00e9\\t\\u2603' END`;
}

export function numericValue(): string {
  return `round((random() * 2000000 - 1000000)::numeric, 4)`;
}

/** The source as the tap writes it: every value as its JSON text (exact), keyed by id. */
export async function readSource(client: pg.Client, table: WorkloadTable): Promise<Map<string, Record<string, string | null>>> {
  const expressions: Record<string, string> = {
    id: 'id::text', k: 'k::text', txt: 'txt', big: 'big', n: 'n::text', doc: 'doc::text',
    ts: `to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')`,
    updated_at: `to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')`,
  };
  const list = table.columns.map((column) => `${expressions[column]} AS ${column}`).join(', ');
  const { rows } = await client.query<Record<string, string | null>>(`SELECT ${list} FROM ${table.name}`);
  return new Map(rows.map((row) => [row.id as string, row]));
}

/**
 * `--test`: the connection test ("Check and Save"). Connects the way a sync would and checks, per
 * database, everything the selected streams need (every discoverable table without a catalog).
 * Prints a readiness report with the fix for each failing check; exits 0 only if all pass.
 */
import { loadConfig } from '../config/load-config.js';
import type { TapConfig } from '../config/tap-config.js';
import { asTapError, TapError } from '../errors.js';
import { readJsonFile } from '../files/json-file.js';
import { connect, type PgClient } from '../postgres/connection/connect.js';
import { listDatabases, listRelations } from '../postgres/catalog/introspection.js';
import { replicationShape } from '../postgres/catalog/replica-identity.js';
import { checkLogBased, checkSchemaUsage, checkSelect, checkStandbyDelays, type CheckResult } from '../postgres/checks/readiness-checks.js';
import type { PublishedTable } from '../postgres/replication/publication.js';
import { selectStreams } from '../selection/select-streams.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { parseCatalog } from '../singer/catalog.js';
import { MessageWriter } from '../singer/message-writer.js';
import { formatChecks } from './format-checks.js';

export async function testCommand(configPath: string, catalogPath: string | undefined, format: string): Promise<void> {
  const config = await loadConfig(configPath);
  const plans = catalogPath === undefined ? null : selectStreams(parseCatalog(await readJsonFile(catalogPath, 'CATALOG')), config);
  const results: CheckResult[] = [];
  for (const database of await databases(config, plans, results)) {
    results.push(...(await checkDatabase(config, database, plans?.filter((plan) => plan.database === database) ?? null)));
  }
  const writer = new MessageWriter();
  await writer.write(formatChecks(results, format));
  await writer.flush();
  const failed = results.filter((result) => result.status === 'fail').length;
  if (failed > 0) {
    throw new TapError('NOT_READY', `${failed} of ${results.length} readiness checks failed`, { hint: 'Apply the fix printed for each failing check, then run --test again.' });
  }
}

async function databases(config: TapConfig, plans: readonly StreamPlan[] | null, results: CheckResult[]): Promise<string[]> {
  if (plans !== null) return [...new Set(plans.map((plan) => plan.database))];
  const client = await connectOrReport(config, config.dbname, results);
  if (client === null) return [];
  try {
    const reachable = await listDatabases(client);
    return config.filterDbs === null ? reachable : reachable.filter((database) => config.filterDbs?.includes(database));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkDatabase(config: TapConfig, database: string, plans: readonly StreamPlan[] | null): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const client = await connectOrReport(config, database, results);
  if (client === null) return results;
  const add = (checks: Omit<CheckResult, 'database'>[]): void => {
    results.push(...checks.map((check) => ({ database, ...check })));
  };
  try {
    add([{ check: 'CONNECT', status: 'pass', detail: `connected as ${config.user}` }]);
    if (plans === null) {
      // Without a catalog, what discovery sees: tables it leaves out for want of USAGE or SELECT are
      // worth knowing (a warning with the GRANT), not a failure — least privilege is a choice.
      const relations = await listRelations(client, config.filterSchemas);
      const asWarnings = (checks: Omit<CheckResult, 'database'>[]): Omit<CheckResult, 'database'>[] => checks.map((check) => (check.status === 'fail' ? { ...check, status: 'warn', detail: `${check.detail}: left out of discovery` } : check));
      add(asWarnings(await checkSchemaUsage(client, [...new Set(relations.map((relation) => relation.schema))], config.user)));
      const unreadable = relations.filter((relation) => relation.can_use_schema && !relation.can_select);
      add(asWarnings(await checkSelect(client, unreadable.map((relation) => ({ schema: relation.schema, table: relation.name })), config.user)));
      const readable = relations.filter((relation) => relation.can_use_schema && relation.can_select).length;
      add([{ check: 'discoverable tables', status: readable > 0 ? 'pass' : 'warn', detail: `${readable} of ${relations.length} readable` }]);
    } else {
      add(await checkSchemaUsage(client, [...new Set(plans.map((plan) => plan.schema))], config.user));
      add(await checkSelect(client, plans.map((plan) => ({ schema: plan.schema, table: plan.table })), config.user));
      const logBased = plans.filter((plan) => plan.replicationMethod === 'LOG_BASED');
      if (logBased.length > 0) add(await checkLogBased(client, config, database, await publishedTables(client, logBased)));
    }
    add(await checkStandbyDelays(client));
  } finally {
    await client.end().catch(() => undefined);
  }
  return results;
}

/** The LOG_BASED tables a pgoutput publication must cover, partitioned ones with their partitions. */
async function publishedTables(client: PgClient, plans: readonly StreamPlan[]): Promise<PublishedTable[]> {
  const tables: PublishedTable[] = [];
  for (const plan of plans) {
    const shape = await replicationShape(client, plan.schema, plan.table).catch(() => ({ leaves: [] }));
    tables.push({ schema: plan.schema, table: plan.table, partitions: shape.leaves });
  }
  return tables;
}

async function connectOrReport(config: TapConfig, database: string, results: CheckResult[]): Promise<PgClient | null> {
  try {
    return await connect(config, database);
  } catch (error) {
    const failure = asTapError(error);
    const fix = failure.code === 'PG_PERMISSION_DENIED' ? `GRANT CONNECT ON DATABASE "${database}" TO "${config.user}";` : failure.hint;
    results.push({ database, check: 'CONNECT', status: 'fail', detail: `${failure.code}: ${failure.message}`, fix });
    return null;
  }
}

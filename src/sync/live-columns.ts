/**
 * The selected columns as the table has them now: types are read again at sync time so the
 * SCHEMA message and the value converters always agree with the rows actually read, whatever
 * the catalog file says. A table changed since discovery (schema drift) is followed: a column
 * added is synced (the catalog's "selected unless marked false"), a dropped one leaves the stream,
 * a changed type brings its new schema — each with a warning; with `schema_drift: fail` any of
 * them stops the run before the stream is read. Key columns cannot drift away.
 */
import type { TapConfig } from '../config/tap-config.js';
import { convertOptions } from '../config/convert-options.js';
import { TapError } from '../errors.js';
import { logger } from '../log.js';
import { toColumnType } from '../postgres/catalog/column-type.js';
import type { PgClient } from '../postgres/connection/connect.js';
import { findRelationOid, listColumns } from '../postgres/catalog/introspection.js';
import { rowEstimate } from '../postgres/catalog/row-estimate.js';
import type { TableFacts } from '../postgres/catalog/table-snapshot.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { columnForm, columnSchema, schemaToJson, valueConverter, type ConvertOptions, type PgColumnType, type ValueConverter } from '../values/index.js';

export interface LiveColumns {
  readonly names: readonly string[];
  readonly types: readonly PgColumnType[];
  readonly converters: readonly ValueConverter[];
  /** What decides each converter, its type and options as JSON (callbacks aside): equal keys, equal output. */
  readonly converterKeys: readonly string[];
  /** Default-option converters for bookmark values: an 'infinity' key must stay 'infinity', not a clamped date. */
  readonly bookmarkConverters: readonly ValueConverter[];
  /** The SCHEMA message's schema, serialised exactly (int8 and numeric bounds as written). */
  readonly schemaJson: string;
  /** The planner's estimate of the table's rows, for progress lines; null when unknown. */
  readonly rowEstimate: number | null;
  /** Every column name of the table now, selected or not. */
  readonly tableColumns: readonly string[];
}

export interface Drift {
  added: string[];
  dropped: string[];
  retyped: { column: string; from: string; to: string }[];
}

export interface LiveColumnsOptions {
  /** Properties the method adds to the schema (LOG_BASED: _sdc_deleted_at). */
  extraProperties?: Record<string, unknown>;
  /** Columns known before (default: the catalog's); a live column outside them was added. */
  known?: Iterable<string>;
  /** Columns synced so far (default: the catalog's selection). */
  selected?: readonly string[];
  /** The table as read at the start of its database's streams (one round for all of them). */
  snapshot?: TableFacts | null;
}

export async function liveColumns(client: PgClient, plan: StreamPlan, config: TapConfig, options: LiveColumnsOptions = {}): Promise<LiveColumns> {
  const extraProperties = options.extraProperties ?? {};
  const selected = options.selected ?? plan.columns;
  const snapshot = options.snapshot ?? null;
  const oid = snapshot?.oid ?? await findRelationOid(client, plan.schema, plan.table);
  if (oid === null) {
    throw new TapError('TABLE_NOT_FOUND', `stream ${plan.tapStreamId}: table ${plan.schema}.${plan.table} no longer exists in database ${plan.database}`, {
      hint: 'Rerun --discover and update the catalog, or deselect the stream.',
    });
  }
  const raw = snapshot?.columns ?? await listColumns(client, [oid]);
  const byName = new Map(raw.map((column) => [column.name, { type: toColumnType(column), sqlType: column.sql_type }]));
  const knownSet = new Set(options.known ?? plan.knownColumns);
  const drift: Drift = {
    // Unsupported types (pseudo-types) are never synced, added or not.
    added: raw.filter((column) => !knownSet.has(column.name) && columnSchema(toColumnType(column)).inclusion !== 'unsupported').map((column) => column.name),
    dropped: selected.filter((name) => !byName.has(name)),
    retyped: selected.flatMap((name) => {
      const now = byName.get(name)?.sqlType;
      const then = plan.catalogTypes[name];
      return now !== undefined && then !== undefined && !sameType(then, now) ? [{ column: name, from: then, to: now }] : [];
    }),
  };
  followDrift(plan, config, drift);
  const wanted = new Set([...selected, ...drift.added]);
  const names = raw.map((column) => column.name).filter((name) => wanted.has(name));
  const types = names.map((name) => (byName.get(name) as { type: PgColumnType }).type);
  const forms = names.map((name, index) => columnOptions(plan, config, name, types[index] as PgColumnType));
  // fromEntries, not assignment: a column may be called __proto__.
  const properties: Record<string, unknown> = {
    ...Object.fromEntries(names.map((name, index) => [name, columnSchema(types[index] as PgColumnType, forms[index]).schema])),
    ...extraProperties,
  };
  return {
    names,
    types,
    converters: types.map((type, index) => valueConverter(type, forms[index])),
    converterKeys: types.map((type, index) => JSON.stringify([type, forms[index]])),
    bookmarkConverters: types.map((type) => valueConverter(type)),
    schemaJson: schemaToJson({ type: 'object', properties }),
    rowEstimate: snapshot === null ? await rowEstimate(client, oid) : snapshot.rowEstimate,
    tableColumns: raw.map((column) => column.name),
  };
}

/** The config's conversion options, refined by the form the catalog's schema asks for (a user's per-column override). */
function columnOptions(plan: StreamPlan, config: TapConfig, name: string, type: PgColumnType): ConvertOptions {
  const form = columnForm(type, plan.catalogSchemas[name]);
  if ('problem' in form) {
    throw new TapError('SELECTION_INVALID', `stream ${plan.tapStreamId} column "${name}" (${type.sqlType}): the catalog's schema ${JSON.stringify(plan.catalogSchemas[name])} is not a form the tap can write: ${form.problem}`, {
      hint: 'Fix the column\'s schema in the catalog (README: "Targets and per-column forms"), or take it from a fresh --discover.',
    });
  }
  return { ...convertOptions(config, { tapStreamId: plan.tapStreamId, column: name }), ...form.options };
}

/**
 * singer-io's catalogs name types without their modifiers ("numeric" for numeric(10,2)): such a
 * name matches any modifier; a name with modifiers (ours, format_type's) must match exactly.
 */
function sameType(catalog: string, live: string): boolean {
  const bare = (type: string): string => type.replace(/\(\d+(,\s*\d+)?\)/g, '');
  return catalog === live || (bare(catalog) === catalog && bare(live) === catalog);
}

/** Throws when the drift cannot be followed (a key column gone, or schema_drift: fail); warns otherwise. */
function followDrift(plan: StreamPlan, config: TapConfig, drift: Drift): void {
  if (drift.added.length === 0 && drift.dropped.length === 0 && drift.retyped.length === 0) return;
  const id = plan.tapStreamId;
  const keys = [...plan.keyProperties, ...(plan.replicationKey === null ? [] : [plan.replicationKey])];
  const lostKey = drift.dropped.find((name) => keys.includes(name));
  if (lostKey !== undefined) {
    throw new TapError('SELECTION_INVALID', `stream ${id}: its key column "${lostKey}" no longer exists in ${plan.schema}.${plan.table}`, {
      hint: 'Rerun --discover and choose the stream\'s key (table-key-properties / replication-key) again.',
    });
  }
  const parts = [
    ...drift.added.map((name) => `column "${name}" was added`),
    ...drift.dropped.map((name) => `column "${name}" was dropped`),
    ...drift.retyped.map((change) => `column "${change.column}" changed type from ${change.from} to ${change.to}`),
  ];
  if (config.schemaDrift === 'fail') {
    throw new TapError('SCHEMA_DRIFT', `stream ${id}: the table changed since discovery: ${parts.join('; ')}`, {
      hint: 'Rerun --discover and review the catalog, or set "schema_drift": "follow" to sync the table as it is now.',
    });
  }
  logger('sync').warn({ tap_stream_id: id, added: drift.added, dropped: drift.dropped, retyped: drift.retyped }, `stream ${id}: the table changed since discovery (${parts.join('; ')}); the SCHEMA message follows it${drift.added.length > 0 ? ' and added columns are synced (mark them "selected": false in the catalog to leave them out)' : ''}`);
}

import type { TapConfig } from '../config/tap-config.js';
import { TapError } from '../errors.js';
import { toColumnType } from '../postgres/column-type.js';
import type { PgClient } from '../postgres/connect.js';
import { findRelationOid, listColumns } from '../postgres/introspection.js';
import { rowEstimate } from '../postgres/row-estimate.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { convertOptions } from '../config/convert-options.js';
import { columnSchema, schemaToJson, valueConverter, type PgColumnType, type ValueConverter } from '../values/index.js';

/**
 * The selected columns as the table has them now: types are read again at sync time so the
 * SCHEMA message and the value converters always agree with the rows actually read, whatever
 * the catalog file says.
 */
export interface LiveColumns {
  readonly names: readonly string[];
  readonly types: readonly PgColumnType[];
  readonly converters: readonly ValueConverter[];
  /** Default-option converters for bookmark values: an 'infinity' key must stay 'infinity', not a clamped date. */
  readonly bookmarkConverters: readonly ValueConverter[];
  /** The SCHEMA message's schema, serialised exactly (int8 and numeric bounds as written). */
  readonly schemaJson: string;
  /** The planner's estimate of the table's rows, for progress lines; null when unknown. */
  readonly rowEstimate: number | null;
}

export async function liveColumns(client: PgClient, plan: StreamPlan, config: TapConfig, extraProperties: Record<string, unknown> = {}): Promise<LiveColumns> {
  const oid = await findRelationOid(client, plan.schema, plan.table);
  if (oid === null) {
    throw new TapError('TABLE_NOT_FOUND', `stream ${plan.tapStreamId}: table ${plan.schema}.${plan.table} no longer exists in database ${plan.database}`, {
      hint: 'Rerun --discover and update the catalog, or deselect the stream.',
    });
  }
  const byName = new Map((await listColumns(client, [oid])).map((raw) => [raw.name, toColumnType(raw)]));
  const types = plan.columns.map((name) => {
    const type = byName.get(name);
    if (type === undefined) {
      throw new TapError('SELECTION_INVALID', `stream ${plan.tapStreamId}: selected column "${name}" no longer exists`, {
        hint: 'Rerun --discover and update the catalog, or deselect the column.',
      });
    }
    return type;
  });
  // fromEntries, not assignment: a column may be called __proto__.
  const properties: Record<string, unknown> = {
    ...Object.fromEntries(plan.columns.map((name, index) => [name, columnSchema(types[index] as PgColumnType, convertOptions(config)).schema])),
    ...extraProperties,
  };
  return {
    names: plan.columns,
    types,
    converters: types.map((type, index) => valueConverter(type, convertOptions(config, { tapStreamId: plan.tapStreamId, column: plan.columns[index] as string }))),
    bookmarkConverters: types.map((type) => valueConverter(type)),
    schemaJson: schemaToJson({ type: 'object', properties }),
    rowEstimate: await rowEstimate(client, oid),
  };
}

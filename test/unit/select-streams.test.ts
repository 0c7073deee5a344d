import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load-config.js';
import { TapError } from '../../src/errors.js';
import { selectStreams } from '../../src/selection/select-streams.js';
import type { Catalog, CatalogEntry, MetadataEntry } from '../../src/singer/catalog.js';

const CONFIG = parseConfig({ user: 'u', dbname: 'd' }, {});
const FULL_TABLE_CONFIG = parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'FULL_TABLE' }, {});

interface ColumnSpec {
  inclusion?: 'automatic' | 'available' | 'unsupported';
  selected?: boolean;
}

interface EntrySpec {
  table: string;
  columns: Record<string, ColumnSpec>;
  stream?: Record<string, unknown>;
  schemaName?: string;
}

/** A catalog entry in singer format, as --discover writes it and a user edits it. */
function entry(spec: EntrySpec): CatalogEntry {
  const schemaName = spec.schemaName ?? 'public';
  const properties: Record<string, unknown> = {};
  const metadata: MetadataEntry[] = [{
    breadcrumb: [],
    metadata: {
      'database-name': 'db',
      'schema-name': schemaName,
      'is-view': false,
      'table-key-properties': [],
      'selected-by-default': false,
      ...spec.stream,
    },
  }];
  for (const [name, column] of Object.entries(spec.columns)) {
    properties[name] = { type: ['null', 'string'] };
    metadata.push({
      breadcrumb: ['properties', name],
      metadata: {
        'sql-datatype': 'text',
        inclusion: column.inclusion ?? 'available',
        'selected-by-default': column.inclusion !== 'unsupported',
        ...(column.selected === undefined ? {} : { selected: column.selected }),
      },
    });
  }
  return {
    tap_stream_id: `db-${schemaName}-${spec.table}`,
    table_name: spec.table,
    stream: spec.table,
    schema: { type: 'object', properties },
    metadata,
  };
}

function catalog(...entries: CatalogEntry[]): Catalog {
  return { streams: entries };
}

function selectionError(fn: () => unknown): TapError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TapError, `expected a TapError, got ${String(error)}`);
    assert.equal(error.code, 'SELECTION_INVALID');
    assert.ok(error.hint.length > 0, 'has a hint');
    return error;
  }
  assert.fail('expected selectStreams to throw');
}

const ORDERS = (stream: Record<string, unknown> = {}, columns?: Record<string, ColumnSpec>): CatalogEntry => entry({
  table: 'orders',
  columns: columns ?? { id: { inclusion: 'automatic' }, amount: {}, updated_at: {} },
  stream: { 'table-key-properties': ['id'], selected: true, 'replication-method': 'FULL_TABLE', ...stream },
});

test('a selected stream becomes a plan', () => {
  const plans = selectStreams(catalog(ORDERS()), CONFIG);
  assert.equal(plans.length, 1);
  const plan = plans[0]!;
  assert.equal(plan.tapStreamId, 'db-public-orders');
  assert.equal(plan.database, 'db');
  assert.equal(plan.schema, 'public');
  assert.equal(plan.table, 'orders');
  assert.equal(plan.stream, 'orders');
  assert.equal(plan.isView, false);
  assert.deepEqual(plan.columns, ['id', 'amount', 'updated_at']);
  assert.deepEqual(plan.keyProperties, ['id']);
  assert.equal(plan.replicationMethod, 'FULL_TABLE');
  assert.equal(plan.replicationKey, null);
});

test('unselected streams are skipped', () => {
  const notSelected = entry({ table: 'a', columns: { x: {} }, stream: { 'replication-method': 'FULL_TABLE' } });
  const selectedFalse = entry({ table: 'b', columns: { x: {} }, stream: { selected: false, 'replication-method': 'FULL_TABLE' } });
  const selected = entry({ table: 'c', columns: { x: {} }, stream: { selected: true, 'replication-method': 'FULL_TABLE' } });
  const plans = selectStreams(catalog(notSelected, selectedFalse, selected), CONFIG);
  assert.deepEqual(plans.map((plan) => plan.tapStreamId), ['db-public-c']);
});

test('an unselected stream is not validated (no method needed)', () => {
  const broken = entry({ table: 'a', columns: { x: {} }, stream: { 'table-key-properties': ['missing'] } });
  assert.deepEqual(selectStreams(catalog(broken), CONFIG), []);
});

test('columns marked selected: false are left out', () => {
  const plan = selectStreams(catalog(ORDERS({}, { id: { inclusion: 'automatic' }, amount: { selected: false }, note: { selected: true }, updated_at: {} })), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['id', 'note', 'updated_at']);
});

test('automatic (key) columns are always included, even if marked selected: false', () => {
  const plan = selectStreams(catalog(ORDERS({}, { id: { inclusion: 'automatic', selected: false }, amount: {} })), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['id', 'amount']);
});

test('key columns are included even if their metadata says available and selected: false', () => {
  const plan = selectStreams(catalog(ORDERS({}, { id: { inclusion: 'available', selected: false }, amount: {} })), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['id', 'amount']);
});

test('unsupported columns are never included', () => {
  const plan = selectStreams(catalog(ORDERS({}, {
    id: { inclusion: 'automatic' }, weird: { inclusion: 'unsupported' }, weird_selected: { inclusion: 'unsupported', selected: true }, amount: {},
  })), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['id', 'amount']);
});

test('the order of columns follows the schema property order', () => {
  const columns: Record<string, ColumnSpec> = { zeta: {}, id: { inclusion: 'automatic' }, alpha: {}, mid: { selected: false }, beta: {} };
  const plan = selectStreams(catalog(ORDERS({}, columns)), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['zeta', 'id', 'alpha', 'beta']);
});

test('column metadata order does not matter, schema order does', () => {
  const e = ORDERS({}, { c: {}, id: { inclusion: 'automatic' }, a: {} });
  e.metadata = [e.metadata[0]!, ...e.metadata.slice(1).reverse()];
  assert.deepEqual(selectStreams(catalog(e), CONFIG)[0]!.columns, ['c', 'id', 'a']);
});

test('default_replication_method is used when the metadata has none', () => {
  const e = ORDERS({ 'replication-method': undefined });
  delete (e.metadata[0]!.metadata as Record<string, unknown>)['replication-method'];
  assert.equal(selectStreams(catalog(e), FULL_TABLE_CONFIG)[0]!.replicationMethod, 'FULL_TABLE');
  const logBased = parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'LOG_BASED' }, {});
  assert.equal(selectStreams(catalog(e), logBased)[0]!.replicationMethod, 'LOG_BASED');
});

test('the stream metadata method wins over default_replication_method', () => {
  const logBased = parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'LOG_BASED' }, {});
  assert.equal(selectStreams(catalog(ORDERS({ 'replication-method': 'FULL_TABLE' })), logBased)[0]!.replicationMethod, 'FULL_TABLE');
});

test('no replication method at all is SELECTION_INVALID naming the stream', () => {
  const e = ORDERS();
  delete (e.metadata[0]!.metadata as Record<string, unknown>)['replication-method'];
  const error = selectionError(() => selectStreams(catalog(e), CONFIG));
  assert.match(error.message, /db-public-orders/);
  assert.match(error.message, /replication method/);
});

test('an unknown replication method is SELECTION_INVALID naming the stream', () => {
  const error = selectionError(() => selectStreams(catalog(ORDERS({ 'replication-method': 'SOMETIMES' })), CONFIG));
  assert.match(error.message, /db-public-orders/);
  assert.match(error.message, /SOMETIMES/);
});

test('INCREMENTAL with a replication key', () => {
  const plan = selectStreams(catalog(ORDERS({ 'replication-method': 'INCREMENTAL', 'replication-key': 'updated_at' })), CONFIG)[0]!;
  assert.equal(plan.replicationMethod, 'INCREMENTAL');
  assert.equal(plan.replicationKey, 'updated_at');
});

test('INCREMENTAL always reads the replication key, even if marked selected: false', () => {
  const plan = selectStreams(catalog(ORDERS(
    { 'replication-method': 'INCREMENTAL', 'replication-key': 'updated_at' },
    { id: { inclusion: 'automatic' }, amount: {}, updated_at: { selected: false } },
  )), CONFIG)[0]!;
  assert.deepEqual(plan.columns, ['id', 'amount', 'updated_at']);
});

test('INCREMENTAL without replication-key is SELECTION_INVALID naming the stream', () => {
  const error = selectionError(() => selectStreams(catalog(ORDERS({ 'replication-method': 'INCREMENTAL' })), CONFIG));
  assert.match(error.message, /db-public-orders/);
  assert.match(error.message, /replication-key/);
});

test('INCREMENTAL from default_replication_method without replication-key is an error', () => {
  const e = ORDERS();
  delete (e.metadata[0]!.metadata as Record<string, unknown>)['replication-method'];
  const incremental = parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'INCREMENTAL' }, {});
  assert.match(selectionError(() => selectStreams(catalog(e), incremental)).message, /db-public-orders/);
});

test('a replication-key that is not a column is SELECTION_INVALID naming stream and key', () => {
  const error = selectionError(() => selectStreams(catalog(ORDERS({ 'replication-method': 'INCREMENTAL', 'replication-key': 'modified' })), CONFIG));
  assert.match(error.message, /db-public-orders/);
  assert.match(error.message, /modified/);
});

test('a replication key is ignored outside INCREMENTAL', () => {
  const plan = selectStreams(catalog(ORDERS({ 'replication-method': 'FULL_TABLE', 'replication-key': 'updated_at' })), CONFIG)[0]!;
  assert.equal(plan.replicationKey, null);
});

const VIEW = (stream: Record<string, unknown>): CatalogEntry => entry({
  table: 'order_totals',
  columns: { order_id: {}, total: {} },
  stream: { 'is-view': true, selected: true, 'table-key-properties': [], ...stream },
});

test('LOG_BASED on a view is SELECTION_INVALID naming the stream', () => {
  const error = selectionError(() => selectStreams(catalog(VIEW({ 'replication-method': 'LOG_BASED' })), CONFIG));
  assert.match(error.message, /db-public-order_totals/);
  assert.match(error.message, /view/);
});

test('LOG_BASED on a view via default_replication_method is an error too', () => {
  const logBased = parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'LOG_BASED' }, {});
  assert.match(selectionError(() => selectStreams(catalog(VIEW({})), logBased)).message, /db-public-order_totals/);
});

test('LOG_BASED on a table is fine', () => {
  assert.equal(selectStreams(catalog(ORDERS({ 'replication-method': 'LOG_BASED' })), CONFIG)[0]!.replicationMethod, 'LOG_BASED');
});

test('view-key-properties are the key of a view', () => {
  const plan = selectStreams(catalog(VIEW({ 'replication-method': 'FULL_TABLE', 'view-key-properties': ['order_id'] })), CONFIG)[0]!;
  assert.equal(plan.isView, true);
  assert.deepEqual(plan.keyProperties, ['order_id']);
  assert.deepEqual(plan.columns, ['order_id', 'total']);
});

test('a view key column is read even if marked selected: false', () => {
  const e = entry({
    table: 'v', columns: { order_id: { selected: false }, total: {} },
    stream: { 'is-view': true, selected: true, 'replication-method': 'FULL_TABLE', 'view-key-properties': ['order_id'] },
  });
  assert.deepEqual(selectStreams(catalog(e), CONFIG)[0]!.columns, ['order_id', 'total']);
});

test('a view without view-key-properties has no key', () => {
  const plan = selectStreams(catalog(VIEW({ 'replication-method': 'FULL_TABLE' })), CONFIG)[0]!;
  assert.deepEqual(plan.keyProperties, []);
});

test('view-key-properties naming a missing column is SELECTION_INVALID', () => {
  const error = selectionError(() => selectStreams(catalog(VIEW({ 'replication-method': 'FULL_TABLE', 'view-key-properties': ['nope'] })), CONFIG));
  assert.match(error.message, /db-public-order_totals/);
  assert.match(error.message, /nope/);
});

test('a key column missing from the schema is SELECTION_INVALID naming stream and column', () => {
  const error = selectionError(() => selectStreams(catalog(ORDERS({ 'table-key-properties': ['order_id'] })), CONFIG));
  assert.match(error.message, /db-public-orders/);
  assert.match(error.message, /order_id/);
});

test('key properties that are not a list of names are SELECTION_INVALID', () => {
  assert.match(selectionError(() => selectStreams(catalog(ORDERS({ 'table-key-properties': 'id' })), CONFIG)).message, /db-public-orders/);
  assert.match(selectionError(() => selectStreams(catalog(ORDERS({ 'table-key-properties': [1] })), CONFIG)).message, /db-public-orders/);
});

test('a stream with every column deselected is SELECTION_INVALID', () => {
  const e = entry({ table: 'nokey', columns: { a: { selected: false }, b: { selected: false } }, stream: { selected: true, 'replication-method': 'FULL_TABLE' } });
  assert.match(selectionError(() => selectStreams(catalog(e), CONFIG)).message, /db-public-nokey/);
});

test('missing database-name or schema-name is SELECTION_INVALID', () => {
  const e = ORDERS();
  delete (e.metadata[0]!.metadata as Record<string, unknown>)['database-name'];
  assert.match(selectionError(() => selectStreams(catalog(e), CONFIG)).message, /database-name/);
});

test('the first invalid stream stops selection before any plan is returned', () => {
  const good = ORDERS();
  const bad = entry({ table: 'bad', columns: { x: {} }, stream: { selected: true, 'replication-method': 'INCREMENTAL' } });
  assert.match(selectionError(() => selectStreams(catalog(good, bad), CONFIG)).message, /db-public-bad/);
});

test('stream name and schema come from the entry', () => {
  const e = entry({ table: 'orders', schemaName: 'sales', columns: { id: {} }, stream: { selected: true, 'replication-method': 'FULL_TABLE' } });
  e.stream = 'sales_orders';
  const plan = selectStreams(catalog(e), CONFIG)[0]!;
  assert.equal(plan.stream, 'sales_orders');
  assert.equal(plan.schema, 'sales');
  assert.equal(plan.table, 'orders');
  assert.equal(plan.tapStreamId, 'db-sales-orders');
});

test('plans are frozen', () => {
  const plan = selectStreams(catalog(ORDERS()), CONFIG)[0]!;
  assert.ok(Object.isFrozen(plan));
  assert.ok(Object.isFrozen(plan.columns));
  assert.ok(Object.isFrozen(plan.keyProperties));
});

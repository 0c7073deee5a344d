import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TapError } from '../../src/errors.js';
import { EMPTY_STATE, getBookmark, parseState, setBookmark, setCurrentlySyncing, type TapState } from '../../src/state/tap-state.js';

function stateError(fn: () => unknown): TapError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TapError, `expected a TapError, got ${String(error)}`);
    assert.equal(error.code, 'STATE_INVALID');
    assert.ok(error.hint.length > 0);
    return error;
  }
  assert.fail('expected parseState to throw');
}

const BOOKMARKS = {
  'db-public-orders': { last_replication_method: 'LOG_BASED', version: 1700000000000, lsn: 123456789, xmin: null },
  'db-public-items': {
    last_replication_method: 'INCREMENTAL', version: 1700000000000, replication_key: 'updated_at',
    replication_key_value: '2024-01-01T00:00:00.000000+00:00',
  },
};

test('accepts {bookmarks, currently_syncing}', () => {
  const state = parseState({ currently_syncing: 'db-public-orders', bookmarks: BOOKMARKS });
  assert.equal(state.currently_syncing, 'db-public-orders');
  assert.deepEqual(state.bookmarks, BOOKMARKS);
});

test('accepts a whole STATE message', () => {
  const state = parseState({ type: 'STATE', value: { currently_syncing: null, bookmarks: BOOKMARKS } });
  assert.equal(state.currently_syncing, null);
  assert.deepEqual(state.bookmarks, BOOKMARKS);
});

test('accepts {} as the empty state', () => {
  const state = parseState({});
  assert.equal(state.currently_syncing, null);
  assert.deepEqual(state.bookmarks, {});
  assert.deepEqual(state, EMPTY_STATE);
});

test('accepts a STATE message with an empty value', () => {
  assert.deepEqual(parseState({ type: 'STATE', value: {} }), EMPTY_STATE);
});

test('accepts the singer-io shape with xmin and lsn, keeping every bookmark key', () => {
  const singerIo = {
    currently_syncing: null,
    bookmarks: {
      'postgres-public-big': { last_replication_method: 'FULL_TABLE', version: 1712345678901, xmin: 1234 },
      'postgres-public-chicken': { last_replication_method: 'LOG_BASED', lsn: 108537416, version: 1712345678902, xmin: null },
      'postgres-public-inc': { replication_key: 'id', replication_key_value: 42, version: 1712345678903, last_replication_method: 'INCREMENTAL' },
    },
  };
  const state = parseState(singerIo);
  assert.deepEqual(state.bookmarks, singerIo.bookmarks);
  assert.equal(getBookmark(state, 'postgres-public-chicken')?.lsn, 108537416);
  assert.equal(getBookmark(state, 'postgres-public-big')?.xmin, 1234);
  assert.equal(getBookmark(state, 'postgres-public-missing'), undefined);
});

test('unknown top-level keys are kept out', () => {
  const state = parseState({ bookmarks: {}, currently_syncing: null, something_else: 1 });
  assert.deepEqual(Object.keys(state).sort(), ['bookmarks', 'currently_syncing']);
});

test('the parsed state is frozen', () => {
  const state = parseState({ bookmarks: BOOKMARKS });
  assert.ok(Object.isFrozen(state));
  assert.ok(Object.isFrozen(state.bookmarks));
});

test('rejects non-objects', () => {
  for (const raw of [null, 42, 'state', true, [], [{ bookmarks: {} }]]) {
    stateError(() => parseState(raw));
  }
});

test('rejects a STATE message whose value is not an object', () => {
  for (const value of [null, 'x', 42, []]) {
    stateError(() => parseState({ type: 'STATE', value }));
  }
});

test('rejects bookmarks that are not an object', () => {
  for (const bookmarks of ['x', 42, [], [{}], true]) {
    const error = stateError(() => parseState({ bookmarks }));
    assert.match(error.message, /"bookmarks"/);
  }
});

test('rejects a bookmark that is not an object, naming bookmarks.<id>', () => {
  for (const bookmark of [null, 'x', 42, [], true]) {
    const error = stateError(() => parseState({ bookmarks: { 'db-public-good': {}, 'db-public-orders': bookmark } }));
    assert.match(error.message, /bookmarks\.db-public-orders/);
  }
});

test('rejects currently_syncing that is not a string', () => {
  for (const currently of [42, {}, ['db-public-orders'], true]) {
    const error = stateError(() => parseState({ bookmarks: {}, currently_syncing: currently }));
    assert.match(error.message, /currently_syncing/);
  }
});

test('parseState does not mutate its input', () => {
  const raw = { currently_syncing: 'db-public-orders', bookmarks: structuredClone(BOOKMARKS) };
  const copy = structuredClone(raw);
  parseState(raw);
  assert.deepEqual(raw, copy);
  assert.ok(!Object.isFrozen(raw));
  assert.ok(!Object.isFrozen(raw.bookmarks));
});

test('setBookmark returns a new state and leaves the input alone', () => {
  const before = parseState({ currently_syncing: 'db-public-orders', bookmarks: structuredClone(BOOKMARKS) });
  const snapshot = structuredClone(before);
  const bookmark = { last_replication_method: 'FULL_TABLE', version: 1 };
  const after: TapState = setBookmark(before, 'db-public-new', bookmark);
  assert.notEqual(after, before);
  assert.deepEqual(before, snapshot, 'input state unchanged');
  assert.equal(getBookmark(before, 'db-public-new'), undefined);
  assert.deepEqual(getBookmark(after, 'db-public-new'), bookmark);
  assert.deepEqual(getBookmark(after, 'db-public-orders'), BOOKMARKS['db-public-orders']);
  assert.equal(after.currently_syncing, 'db-public-orders');
  assert.ok(Object.isFrozen(after));
  assert.ok(Object.isFrozen(after.bookmarks));
});

test('setBookmark replaces an existing bookmark without touching the old one', () => {
  const before = parseState({ bookmarks: structuredClone(BOOKMARKS) });
  const old = getBookmark(before, 'db-public-orders');
  const oldCopy = structuredClone(old);
  const after = setBookmark(before, 'db-public-orders', { ...old, lsn: 999 });
  assert.equal(getBookmark(after, 'db-public-orders')?.lsn, 999);
  assert.equal(getBookmark(before, 'db-public-orders')?.lsn, 123456789);
  assert.deepEqual(old, oldCopy);
});

test('setBookmark copies the bookmark it is given (later changes do not leak in)', () => {
  const bookmark: Record<string, unknown> = { version: 1 };
  const after = setBookmark(EMPTY_STATE, 's', bookmark);
  bookmark.version = 2;
  assert.equal(getBookmark(after, 's')?.version, 1);
  assert.ok(Object.isFrozen(getBookmark(after, 's')));
  assert.ok(!Object.isFrozen(bookmark), 'the caller\'s object is not frozen');
});

test('setCurrentlySyncing returns a new state and leaves the input alone', () => {
  const before = parseState({ currently_syncing: null, bookmarks: structuredClone(BOOKMARKS) });
  const after = setCurrentlySyncing(before, 'db-public-items');
  assert.equal(before.currently_syncing, null);
  assert.equal(after.currently_syncing, 'db-public-items');
  assert.equal(after.bookmarks, before.bookmarks);
  assert.ok(Object.isFrozen(after));
  const cleared = setCurrentlySyncing(after, null);
  assert.equal(cleared.currently_syncing, null);
  assert.equal(after.currently_syncing, 'db-public-items');
});

test('EMPTY_STATE is frozen and never changed by updates', () => {
  setBookmark(EMPTY_STATE, 's', { version: 1 });
  setCurrentlySyncing(EMPTY_STATE, 's');
  assert.deepEqual(EMPTY_STATE, { currently_syncing: null, bookmarks: {} });
  assert.ok(Object.isFrozen(EMPTY_STATE));
});

test('a parsed state survives a JSON round trip', () => {
  const state = parseState({ currently_syncing: 'db-public-orders', bookmarks: BOOKMARKS });
  assert.deepEqual(parseState(JSON.parse(JSON.stringify(state))), state);
});

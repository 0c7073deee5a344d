// A column's form from the catalog's schema for it: what a user may ask for, and what is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnForm, type PgColumnType } from '../../src/values/index.js';

function column(typname: string, typcategory = 'U', extra: Partial<PgColumnType> = {}): PgColumnType {
  return { sqlType: typname, typname, typtype: 'b', typcategory, typmod: -1, notNull: false, ...extra };
}
const jsonb = column('jsonb');
const numeric = column('numeric', 'N');
const date = column('date', 'D');

test('json/jsonb: a string, [null, object, array], or any JSON value; anything else is refused', () => {
  assert.deepEqual(columnForm(jsonb, { type: ['null', 'string'] }), { options: { jsonForm: 'string' } });
  assert.deepEqual(columnForm(jsonb, { type: ['null', 'object', 'array'] }), { options: { jsonForm: 'object' } });
  assert.deepEqual(columnForm(jsonb, { type: ['null', 'object', 'array', 'string', 'number', 'integer', 'boolean'] }), { options: { jsonForm: 'value' } });
  assert.match((columnForm(jsonb, { type: ['null', 'number'] }) as { problem: string }).problem, /json/);
});

test('numbers: a number, or the exact text as a string', () => {
  assert.deepEqual(columnForm(numeric, { type: ['null', 'string'] }), { options: { numberAsString: true } });
  assert.deepEqual(columnForm(numeric, { type: ['null', 'number'], multipleOf: 0.01 }), { options: { numberAsString: false } });
  assert.ok('problem' in columnForm(numeric, { type: ['boolean'] }));
});

test('dates: format date or date-time; a schema that says nothing changes nothing', () => {
  assert.deepEqual(columnForm(date, { type: ['null', 'string'], format: 'date' }), { options: { dateFormat: 'date' } });
  assert.deepEqual(columnForm(date, { type: ['null', 'string'], format: 'date-time' }), { options: { dateFormat: 'date-time' } });
  assert.deepEqual(columnForm(date, undefined), { options: {} });
  assert.deepEqual(columnForm(date, {}), { options: {} });
});

test('arrays take their element form from items; a text column declared integer is refused', () => {
  const arr = column('_jsonb', 'A', { element: jsonb });
  assert.deepEqual(columnForm(arr, { type: ['null', 'array'], items: { type: ['null', 'string', 'array'] } }), { options: { jsonForm: 'string', jsonText: false } });
  assert.deepEqual(columnForm(arr, { type: ['null', 'string'] }), { options: { jsonText: true } });
  assert.ok('problem' in columnForm(column('text', 'S'), { type: ['integer'] }));
  assert.deepEqual(columnForm(column('text', 'S'), { type: ['null', 'string'], maxLength: 5 }), { options: {} });
});

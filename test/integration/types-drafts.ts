// Two real validators of the two drafts Singer targets use: draft-04 (singer-python's jsonschema era)
// and draft-07. Records are parsed with JSON.parse, so numbers are doubles as in most targets.
import { Ajv } from 'ajv';
import Ajv04Module from 'ajv-draft-04';

// ajv-draft-04 is CommonJS (module.exports = Ajv): under NodeNext the default import may be the
// module object whose `.default` is the class.
type Ajv04Class = typeof Ajv04Module.default;
const Ajv04: Ajv04Class = (Ajv04Module as unknown as { default?: Ajv04Class }).default ?? (Ajv04Module as unknown as Ajv04Class);

// The same format checks for both drafts, so verdicts differ only if keywords are read differently.
// (draft-04 itself has no 'date' format; giving it one makes the comparison stricter, not looser.)
const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
};

export interface DraftValidators {
  /** [draft-04 verdict, draft-07 verdict] for a value (already parsed) against the compiled schema. */
  verdicts(value: unknown): [boolean, boolean];
  /** For an object value: the sorted top-level properties each draft rejects (all errors collected). */
  failingProperties(value: Record<string, unknown>): [string[], string[]];
}

/** Compiles one schema under both drafts; throws if either refuses it. */
export function compileBothDrafts(schema: object): DraftValidators {
  // strict: false because x-sql-precision/x-sql-scale are annotations both drafts must ignore.
  const draft04 = new Ajv04({ strict: false, validateFormats: true, allErrors: true });
  const draft07 = new Ajv({ strict: false, validateFormats: true, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) {
    draft04.addFormat(name, pattern);
    draft07.addFormat(name, pattern);
  }
  const validate04 = draft04.compile(schema);
  const validate07 = draft07.compile(schema);
  const failing = (validate: typeof validate04, value: unknown): string[] => {
    validate(value);
    const names = (validate.errors ?? []).map((error) => decodeURIComponent(error.instancePath.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~'));
    return [...new Set(names)].sort();
  };
  return {
    verdicts: (value) => [validate04(value), validate07(value)],
    failingProperties: (value) => [failing(validate04, value), failing(validate07, value)],
  };
}

/**
 * Values that probe each keyword's edges: wrong JSON types, bounds and just past them, the float
 * multipleOf trap (0.07), dates and strings that are not.
 */
export const PROBES: readonly unknown[] = [
  null, true, 'x', '', {}, [], [null], [[1]], { a: '1' }, { a: 1 },
  0, 1, -1, 0.07, 1.5, 32767, 32768, -32769, 2147483648, 4294967296, 9223372036854775807, 9223372036854775808,
  -9223372036854775808, -9223372036854777856, 1e300, -1e300, 99999999.99, 100000000, 1e-320,
  '2021-03-04T05:06:07.000000+00:00', '2021-03-04', '2021-13-04', '9999-12-31T23:59:59.999999+00:00', 'PT0S',
];

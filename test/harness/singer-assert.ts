// Checks a tap's stdout the way a strict Singer target would: message shapes, then every RECORD
// against the latest SCHEMA of its stream.
import { AssertionError } from 'node:assert';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';

// ajv is CommonJS: under NodeNext the default import is module.exports, whose `.default` is the class.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

// Hand-written format checks so the suite needs no ajv-formats; RFC 3339 shapes with range checks.
const DATE = '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])';
const TIME = '([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d+)?';
const OFFSET = '([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)';
const FORMATS: Record<string, RegExp> = {
  'date-time': new RegExp(`^${DATE}[Tt]${TIME}${OFFSET}$`),
  date: new RegExp(`^${DATE}$`),
  time: new RegExp(`^${TIME}${OFFSET}?$`),
};

const warned = new Set<string>();
function warnOnce(...args: unknown[]): void {
  const text = args.map(String).join(' ');
  if (warned.has(text)) return;
  warned.add(text);
  process.stderr.write(`singer-assert: ${text}\n`);
}

function makeAjv(): InstanceType<AjvClass> {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: { log: warnOnce, warn: warnOnce, error: warnOnce } });
  for (const [name, re] of Object.entries(FORMATS)) ajv.addFormat(name, re);
  return ajv;
}

type Msg = Record<string, unknown>;
const isObject = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

/** Returns a problem description, or null when the message has the fields its type requires. */
function shapeProblem(m: Msg): string | null {
  switch (m.type) {
    case 'SCHEMA':
      if (!isString(m.stream)) return 'SCHEMA without string "stream"';
      if (!isObject(m.schema)) return 'SCHEMA without object "schema"';
      if (!isStringArray(m.key_properties)) return 'SCHEMA "key_properties" must be an array of strings';
      if (m.bookmark_properties !== undefined && !isStringArray(m.bookmark_properties)) {
        return 'SCHEMA "bookmark_properties" must be an array of strings';
      }
      return null;
    case 'RECORD':
      if (!isString(m.stream)) return 'RECORD without string "stream"';
      if (!isObject(m.record)) return 'RECORD without object "record"';
      if (m.version !== undefined && typeof m.version !== 'number') return 'RECORD "version" must be a number';
      if (m.time_extracted !== undefined && !(isString(m.time_extracted) && FORMATS['date-time']!.test(m.time_extracted))) {
        return `RECORD "time_extracted" is not an RFC 3339 date-time: ${JSON.stringify(m.time_extracted)}`;
      }
      return null;
    case 'STATE':
      return 'value' in m ? null : 'STATE without "value"';
    case 'ACTIVATE_VERSION':
      if (!isString(m.stream)) return 'ACTIVATE_VERSION without string "stream"';
      return typeof m.version === 'number' ? null : 'ACTIVATE_VERSION without number "version"';
    case 'BATCH':
      if (!isString(m.stream)) return 'BATCH without string "stream"';
      if (!isObject(m.encoding) || !isString(m.encoding.format)) return 'BATCH without "encoding.format"';
      return isStringArray(m.manifest) ? null : 'BATCH "manifest" must be an array of strings';
    default:
      return `unknown message type ${JSON.stringify(m.type)}`;
  }
}

function fail(lineNo: number, message: string, line: unknown): never {
  const shown = JSON.stringify(line);
  throw new AssertionError({
    message: `Singer stream line ${lineNo}: ${message}\n  line: ${shown.length > 500 ? shown.slice(0, 500) + '…' : shown}`,
  });
}

/** Line numbers are 1-based positions in `lines`, matching stdout line numbers when no line was blank. */
export function assertSingerStream(lines: unknown[]): void {
  const ajv = makeAjv();
  const validators = new Map<string, ValidateFunction>();
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (!isObject(line)) fail(lineNo, 'not a JSON object', line);
    const problem = shapeProblem(line);
    if (problem) fail(lineNo, problem, line);

    if (line.type === 'SCHEMA') {
      try {
        validators.set(line.stream as string, ajv.compile(line.schema as object));
      } catch (err) {
        fail(lineNo, `SCHEMA for "${String(line.stream)}" does not compile: ${(err as Error).message}`, line);
      }
    } else if (line.type === 'RECORD') {
      const validate = validators.get(line.stream as string);
      if (!validate) fail(lineNo, `RECORD for "${String(line.stream)}" before any SCHEMA for that stream`, line);
      if (!validate(line.record)) {
        const errors = (validate.errors ?? [])
          .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
          .join('; ');
        fail(lineNo, `RECORD for "${String(line.stream)}" does not match its SCHEMA: ${errors}`, line);
      }
    }
  });
}

/** One coded error line of a failed run, as the tap logs it on stderr. */
export interface ErrorLine { code: string; msg: string; hint: string }

/** The run failed with exit code 1 and logged one error line with a code: that line. */
export function tapError(result: { code: number | null; stderr: string }): ErrorLine {
  assert.equal(result.code, 1, `the run fails with exit code 1; stderr:\n${result.stderr}`);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Partial<ErrorLine> & { level?: number });
  const error = lines.find((l) => l.level === 50 && typeof l.code === 'string');
  assert.ok(error, `an error line with a code; stderr:\n${result.stderr}`);
  return error as ErrorLine;
}

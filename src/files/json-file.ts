import { readFile } from 'node:fs/promises';
import { parse as parseLossless } from 'lossless-json';
import { TapError, type ErrorCode } from '../errors.js';
import { jsonSyntaxPosition } from './json-syntax-position.js';

type FileKind = 'CONFIG' | 'CATALOG' | 'STATE';

const WHAT: Record<FileKind, string> = { CONFIG: 'config', CATALOG: 'catalog', STATE: 'state' };

/**
 * Reads a JSON input file. A missing file and malformed JSON are the two most common first-run
 * mistakes, so each gets its own code and a message that says which file and where.
 */
export async function readJsonFile(path: string, kind: FileKind): Promise<unknown> {
  const what = WHAT[kind];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new TapError(`${kind}_NOT_FOUND` as ErrorCode, `${what} file ${path} ${reason}`, {
      hint: `Check the path given to --${what === 'catalog' ? 'catalog' : what}.`,
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TapError(`${kind}_INVALID_JSON` as ErrorCode, `${what} file ${path} is not valid JSON (${syntaxWhere(text)})`, {
      hint: `Fix the JSON syntax in ${path}.`,
    });
  }
  // A state's numbers are bookmarks: read them exactly (singer-io writes a bigint key as a number).
  if (kind !== 'STATE') return value;
  try {
    return parseLossless(text, null, exactNumber);
  } catch (error) {
    throw new TapError('STATE_INVALID_JSON', `state file ${path} cannot be read exactly: ${(error as Error).message}`, {
      hint: `Fix ${path} (each key once per object).`,
    });
  }
}

/**
 * A JSON number as a JS number when that is exact (its shortest text is the same), otherwise as
 * its decimal text: 9007199254740995 stays "9007199254740995", not 9007199254740996. Bookmarks
 * accept both forms.
 */
export function exactNumber(text: string): number | string {
  const value = Number(text);
  return String(value) === text ? value : text;
}

/** Line and column of the first syntax error; never any of the file's text, which may hold secrets. */
function syntaxWhere(text: string): string {
  if (text.trim() === '') return 'the file is empty';
  const position = jsonSyntaxPosition(text);
  if (position < 0) return 'syntax error';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return position >= text.length ? `the text ends early, at line ${line}, column ${column}` : `syntax error at line ${line}, column ${column}`;
}

import { readFile } from 'node:fs/promises';
import { TapError, type ErrorCode } from './errors.js';

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
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TapError(`${kind}_INVALID_JSON` as ErrorCode, `${what} file ${path} is not valid JSON (${syntaxWhere(text, error)})`, {
      hint: `Fix the JSON syntax in ${path}.`,
    });
  }
}

/**
 * V8's JSON.parse messages quote a slice of the input, which may be a password: report only the
 * line and column of the syntax error.
 */
function syntaxWhere(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const match = /at position (\d+)/.exec(message);
  const position = match === null ? (text.trim() === '' ? 0 : -1) : Number(match[1]);
  if (position < 0) return 'syntax error';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return text.trim() === '' ? 'the file is empty' : `syntax error at line ${line}, column ${column}`;
}

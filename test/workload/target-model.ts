// A transactional Singer target, as strict as the contract allows: records and ACTIVATE_VERSION
// count only once a STATE after them arrives; whatever came after the last STATE of a run that
// died is thrown away, and the next run starts from that STATE. Then each table is rebuilt the way
// a versioning, upserting target would, and compared with the source value by value.
import { parseExact } from '../harness/exact-json.js';
import type { Method, WorkloadTable } from './workload-schema.js';

type Message = { type: string; stream?: string; record?: Record<string, unknown>; version?: string };

interface Row { record: Record<string, unknown>; version: number | undefined }

export class TargetModel {
  /** The last committed STATE line, verbatim: the next run's --state file (the tap reads a whole STATE message). */
  stateLine: string | undefined;
  /** RECORD lines received, committed or not. */
  received = 0;
  committedRecords = 0;
  private pending: Message[] = [];
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly methods: Map<string, Method>;

  constructor(tables: readonly WorkloadTable[]) {
    this.methods = new Map(tables.map((table) => [table.name, table.method]));
    for (const table of tables) this.tables.set(table.name, new Map());
  }

  /** One stdout line of the tap. */
  line(text: string): void {
    if (text === '') return;
    if (text.startsWith('{"type":"STATE"')) {
      for (const pending of this.pending) this.apply(pending);
      this.pending = [];
      this.stateLine = text;
      return;
    }
    const message = parseExact(text) as Message;
    if (message.type === 'RECORD') this.received++;
    if (message.type === 'RECORD' || message.type === 'ACTIVATE_VERSION') this.pending.push(message);
  }

  /** The run ended: what no STATE covered is lost, as in a target that commits at STATE. */
  endRun(): number {
    const dropped = this.pending.filter((message) => message.type === 'RECORD').length;
    this.pending = [];
    return dropped;
  }

  rows(table: string): Map<string, Row> {
    return this.tables.get(table) ?? new Map();
  }

  private apply(message: Message): void {
    const table = this.tables.get(message.stream ?? '');
    if (table === undefined) return;
    if (message.type === 'ACTIVATE_VERSION') {
      const version = Number(message.version);
      for (const [key, row] of table) if (row.version !== undefined && row.version < version) table.delete(key);
      return;
    }
    this.committedRecords++;
    const record = message.record!;
    const key = String(record.id);
    const deleted = record._sdc_deleted_at !== null && record._sdc_deleted_at !== undefined;
    if (deleted && this.methods.get(message.stream!) === 'LOG_BASED') table.delete(key);
    else table.set(key, { record, version: message.version === undefined ? undefined : Number(message.version) });
  }
}

export interface Comparison {
  table: string;
  method: Method;
  sourceRows: number;
  missing: string[];
  different: string[];
  /** Rows downstream that the source no longer has (allowed only for INCREMENTAL, which cannot see deletes). */
  extra: string[];
}

export function compareTable(table: WorkloadTable, source: Map<string, Record<string, string | null>>, target: Map<string, Row>): Comparison {
  const missing: string[] = [];
  const different: string[] = [];
  for (const [id, row] of source) {
    const got = target.get(id);
    if (got === undefined) {
      missing.push(id);
      continue;
    }
    for (const column of table.columns) {
      if (!sameValue(column, row[column] ?? null, got.record[column])) {
        different.push(`${id}.${column}: source ${JSON.stringify(row[column])} target ${JSON.stringify(got.record[column])}`);
        break;
      }
    }
  }
  const extra = [...target.keys()].filter((id) => !source.has(id));
  return { table: table.name, method: table.method, sourceRows: source.size, missing, different, extra };
}

function sameValue(column: string, source: string | null, target: unknown): boolean {
  if (source === null || target === null || target === undefined) return source === null && (target === null || target === undefined);
  // json: the JSON text in a string (the default form), or the parsed value.
  if (column === 'doc') return canonical(parseExact(source)) === canonical(typeof target === 'string' ? parseExact(target) : target);
  return source === target;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}


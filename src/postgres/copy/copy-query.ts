/**
 * The rows of `COPY (query) TO STDOUT` as an async iterator of row batches, one per network chunk:
 * PostgreSQL formats every value as its own text, which is what the value converters expect, and
 * COPY has no per-row protocol overhead. The next chunk is not read until the consumer asks for
 * the next batch, so a slow consumer pauses the server (backpressure); leaving the loop early
 * destroys the stream (the caller closes the connection afterwards).
 */
import { to as copyTo } from 'pg-copy-streams';
import type { PgClient } from '../connection/connect.js';
import { CopyTextParser, type CopyRow } from './copy-text-parser.js';

export async function* copyBatches(client: PgClient, selectSql: string): AsyncGenerator<CopyRow[], void, undefined> {
  const stream = client.query(copyTo(`COPY (${selectSql}) TO STDOUT`));
  const parser = new CopyTextParser();
  let batch: CopyRow[] = [];
  const collect = (row: CopyRow): void => {
    batch.push(row);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.push(chunk, collect);
    if (batch.length === 0) continue;
    const rows = batch;
    batch = [];
    yield rows;
  }
  // Throws if the stream ended inside a row: a truncated COPY must never look complete.
  parser.end();
}

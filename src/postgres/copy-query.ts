import { to as copyTo } from 'pg-copy-streams';
import type { PgClient } from './connect.js';
import { CopyTextParser, type CopyRow } from './copy-text-parser.js';

/**
 * Streams the rows of `COPY (query) TO STDOUT`: PostgreSQL formats every value as its own text,
 * which is what the value converters expect, and COPY has no per-row protocol overhead.
 * `onBatch` runs per network chunk with the rows it completed; the next chunk is not read until
 * the returned promise settles, so a slow consumer pauses the server (backpressure).
 */
export interface CopyResult {
  rows: number;
  /** True when `shouldStop` ended the read early; the rows handed to onBatch are all complete. */
  stopped: boolean;
}

export async function copyRows(
  client: PgClient,
  selectSql: string,
  onBatch: (rows: CopyRow[]) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<CopyResult> {
  const stream = client.query(copyTo(`COPY (${selectSql}) TO STDOUT`));
  const parser = new CopyTextParser();
  let total = 0;
  let batch: CopyRow[] = [];
  const collect = (row: CopyRow): void => {
    batch.push(row);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += parser.push(chunk, collect);
    if (batch.length > 0) {
      const rows = batch;
      batch = [];
      await onBatch(rows);
    }
    // Leaving the loop destroys the stream; the caller closes this connection afterwards.
    if (shouldStop()) return { rows: total, stopped: true };
  }
  parser.end();
  return { rows: total, stopped: false };
}

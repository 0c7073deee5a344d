import type { Readable } from 'node:stream';

/*
 * Why not decode each 'data' chunk on its own: a pipe chunk can end inside a multi-byte
 * character, and decoding each half alone turns it into two U+FFFD (a '☃' in a record became
 * '��' and a rebuilt table no longer matched its source). setEncoding makes the stream carry a
 * decoder that holds such partial bytes back until the rest arrives.
 *
 * Both helpers only add a 'data' listener, so a stream the caller paused stays paused until the
 * caller resumes it (flow control stays the caller's).
 */

export interface LineReader {
  /** Text after the last '\n' so far: at exit, '' unless the output ended mid-line. */
  readonly tail: string;
}

/** Calls `onLine` with each complete '\n'-terminated line of `stream` (without the '\n'). */
export function lineReader(stream: Readable, onLine: (line: string) => void): LineReader {
  let tail = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (tail + text).split('\n');
    tail = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  return { get tail() { return tail; } };
}

/** Everything `stream` has printed so far (e.g. a child's stderr), decoded as a whole. */
export function collectText(stream: Readable): { readonly text: string } {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => { text += chunk; });
  return { get text() { return text; } };
}

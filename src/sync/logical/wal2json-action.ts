/**
 * wal2json format-version 2's "action" letters, spelled once: as text for the general decoder and
 * as bytes for the fast path, which compares the letter in the message without decoding it.
 */
export const Action = {
  Begin: 'B',
  Commit: 'C',
  Insert: 'I',
  Update: 'U',
  Delete: 'D',
  Truncate: 'T',
  Message: 'M',
} as const;

export type Wal2JsonAction = (typeof Action)[keyof typeof Action];

/** The byte of a row change's letter, for the fast path. */
export const ActionByte = {
  Insert: Action.Insert.charCodeAt(0),
  Update: Action.Update.charCodeAt(0),
  Delete: Action.Delete.charCodeAt(0),
} as const;

/**
 * The replication slot configured for a database. `slot_name` is one name, which belongs to the
 * database in `dbname` (a slot is per database, so one name cannot serve two), or a map from
 * database to slot. Null: no slot configured, so stitch_<db>, then stitch, are looked for.
 */
import { TapError } from '../errors.js';
import type { TapConfig } from './tap-config.js';

export function slotNameFor(config: TapConfig, database: string): string | null {
  const configured = config.slotName;
  if (configured === null) return null;
  if (typeof configured === 'object') return configured[database] ?? null;
  if (database === config.dbname) return configured;
  throw new TapError('CONFIG_INVALID', `config key "slot_name" is one name ("${configured}"), which is the slot of database "${config.dbname}" (dbname), but database "${database}" has LOG_BASED streams too`, {
    hint: `A slot belongs to one database: give slot_name as a map, e.g. "slot_name": {"${config.dbname}": "${configured}", "${database}": "stitch_${database}"}.`,
  });
}

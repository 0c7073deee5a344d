/**
 * Conversion options for one column: the config's choices plus a warning that fires once per
 * column, so a table full of 'infinity' gives one log line, not a million.
 */
import type { TapConfig } from './tap-config.js';
import { logger } from '../log.js';
import type { ConvertOptions } from '../values/index.js';

export function convertOptions(config: TapConfig, where?: { tapStreamId: string; column: string }): ConvertOptions {
  const base: ConvertOptions = { outOfRange: config.outOfRangeValues, jsonForm: config.jsonForm, dateFormat: config.dateFormat, numberAsString: config.numericAsString };
  if (where === undefined) return base;
  let warned = false;
  return {
    ...base,
    onOutOfRange: (value, writtenAs) => {
      if (warned) return;
      warned = true;
      logger('values').warn(
        { tap_stream_id: where.tapStreamId, column: where.column, value, written_as: writtenAs },
        `stream ${where.tapStreamId} column "${where.column}": ${value} cannot be represented exactly and is written as ${writtenAs} (setting out_of_range_values; logged once per column)`,
      );
    },
  };
}

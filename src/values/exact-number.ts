const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * A number in a JSON Schema that a JS number cannot hold exactly (int8 and numeric(p,s) bounds).
 * `schemaToJson` writes its text verbatim. Plain `JSON.stringify` falls back to `toJSON`, the
 * nearest double: rounding is monotonic, so a value inside the exact bound is never outside the
 * rounded one — looser by at most one ulp, never stricter.
 */
export class ExactNumber {
  readonly text: string;

  constructor(text: string) {
    if (!JSON_NUMBER.test(text)) throw new Error(`ExactNumber: not a JSON number literal: ${text}`);
    this.text = text;
  }

  toJSON(): number {
    return Number(this.text);
  }
}

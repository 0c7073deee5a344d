/**
 * Singer message formatting: pure functions from values to one JSON line each (with the trailing
 * newline). RECORD lines are assembled from JSON fragments so exact numbers are never re-parsed.
 */
export function schemaMessage(stream: string, schemaJson: string, keyProperties: readonly string[], bookmarkProperties: readonly string[]): string {
  return `{"type":"SCHEMA","stream":${JSON.stringify(stream)},"schema":${schemaJson},"key_properties":${JSON.stringify(keyProperties)},"bookmark_properties":${JSON.stringify(bookmarkProperties)}}\n`;
}

/** `value` is the tap state, already JSON-safe (exact values are kept as strings in bookmarks). */
export function stateMessage(value: unknown): string {
  return `{"type":"STATE","value":${JSON.stringify(value)}}\n`;
}

export function activateVersionMessage(stream: string, version: number): string {
  return `{"type":"ACTIVATE_VERSION","stream":${JSON.stringify(stream)},"version":${version}}\n`;
}

/**
 * Builds RECORD lines for one stream without per-row object churn: the constant parts are
 * computed once, each row contributes `"column":fragment` pairs.
 */
export class RecordLineFormatter {
  private readonly prefix: string;
  private readonly keyPrefixes: readonly string[];
  private suffix: string;
  private readonly versionPart: string;

  constructor(stream: string, columns: readonly string[], version: number | null) {
    this.prefix = `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":{`;
    this.keyPrefixes = columns.map((column, index) => `${index === 0 ? '' : ','}${JSON.stringify(column)}:`);
    this.versionPart = version === null ? '' : `,"version":${version}`;
    this.suffix = this.suffixFor(new Date());
  }

  /** time_extracted is refreshed per batch, not per row: a clock read per row is measurable. */
  setTimeExtracted(time: Date): void {
    this.suffix = this.suffixFor(time);
  }

  /** The constant parts of a line, for writers that assemble it as bytes (they must stay the same line). */
  get parts(): { prefix: string; keyPrefixes: readonly string[]; suffix: string } {
    return { prefix: this.prefix, keyPrefixes: this.keyPrefixes, suffix: this.suffix };
  }

  /** `fragments[i]` is the JSON text of column i, or null for SQL NULL. */
  format(fragments: readonly (string | null)[]): string {
    let line = this.prefix;
    for (let i = 0; i < fragments.length; i++) {
      const fragment = fragments[i];
      line += this.keyPrefixes[i] + (fragment ?? 'null');
    }
    return line + this.suffix;
  }

  private suffixFor(time: Date): string {
    return `}${this.versionPart},"time_extracted":"${time.toISOString()}"}\n`;
  }
}

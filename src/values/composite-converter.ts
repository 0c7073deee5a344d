import type { ValueConverter } from './value-converter.js';

const CHAR_QUOTE = 34;
const CHAR_LPAREN = 40;
const CHAR_RPAREN = 41;
const CHAR_COMMA = 44;
const CHAR_BACKSLASH = 92;

/** One attribute of a composite: its name (the JSON object key) and its type's converter. */
export interface CompositeField {
  name: string;
  convert: ValueConverter;
}

/**
 * Composite (record) text → JSON object, attribute name → the attribute's own converted value:
 *   '(1,"a b",)' → {"x":1,"y":"a b","z":null}
 * record_out writes each attribute's text, quoting it when it is empty or holds a quote, backslash,
 * parenthesis, comma or space, and doubling '"' and '\' inside quotes; an empty unquoted field is
 * NULL. This reads the grammar record_in accepts (also '\' escapes and partly quoted fields), so
 * nested composites, arrays and hstores inside a field reach their own converters as plain text.
 */
export function compositeConverter(fields: readonly CompositeField[]): ValueConverter {
  const keys = fields.map((field) => JSON.stringify(field.name) + ':');
  const converters = fields.map((field) => field.convert);
  return (text: string): string => {
    if (text.charCodeAt(0) !== CHAR_LPAREN) throw malformed(text);
    let position = 1;
    let json = '{';
    for (let f = 0; f < converters.length; f++) {
      if (f > 0) {
        if (text.charCodeAt(position) !== CHAR_COMMA) throw malformed(text);
        position++;
        json += ',';
      }
      const end = fieldEnd(text, position);
      json += keys[f] + (end === position ? 'null' : (converters[f] as ValueConverter)(fieldText(text, position, end)));
      position = end;
    }
    if (text.charCodeAt(position) !== CHAR_RPAREN || position + 1 !== text.length) throw malformed(text);
    return json + '}';
  };
}

/** Index of the ',' or ')' that ends the field starting at `start`, outside quotes. */
function fieldEnd(text: string, start: number): number {
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === CHAR_BACKSLASH) i++;
    else if (code === CHAR_QUOTE) inQuotes = !inQuotes; // a doubled "" toggles twice
    else if (!inQuotes && (code === CHAR_COMMA || code === CHAR_RPAREN)) return i;
  }
  throw malformed(text);
}

/** The field's value: quotes removed, '""' inside quotes and '\x' anywhere unescaped. */
function fieldText(text: string, start: number, end: number): string {
  let value = '';
  let kept = start;
  let inQuotes = false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === CHAR_BACKSLASH) {
      value += text.slice(kept, i);
      kept = i + 1;
      i++;
    } else if (code === CHAR_QUOTE) {
      value += text.slice(kept, i);
      if (inQuotes && text.charCodeAt(i + 1) === CHAR_QUOTE) {
        kept = i + 1; // keep the second quote as data
        i++;
      } else {
        kept = i + 1;
        inQuotes = !inQuotes;
      }
    }
  }
  return value + text.slice(kept, end);
}

/** The message names the length, not the content: row values do not belong in logs. */
function malformed(text: string): Error {
  return new Error(`malformed PostgreSQL composite value (${text.length} characters)`);
}

/**
 * Singer targets echo the state they committed as JSON lines on their stdout. This keeps the last
 * one that is a state object; anything else a target prints is ignored. Pure.
 */
export class TargetStateReader {
  private tail = '';
  private last: Record<string, unknown> | null = null;

  push(chunk: string): void {
    const lines = (this.tail + chunk).split('\n');
    this.tail = lines.pop() ?? '';
    for (const line of lines) this.consider(line);
  }

  end(): Record<string, unknown> | null {
    if (this.tail !== '') this.consider(this.tail);
    this.tail = '';
    return this.last;
  }

  private consider(line: string): void {
    const text = line.trim();
    if (!text.startsWith('{')) return;
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      const state = value.type === 'STATE' && typeof value.value === 'object' && value.value !== null ? (value.value as Record<string, unknown>) : value;
      if (typeof state.bookmarks === 'object' && state.bookmarks !== null) this.last = state;
    } catch {
      // Not JSON: a target's own chatter.
    }
  }
}

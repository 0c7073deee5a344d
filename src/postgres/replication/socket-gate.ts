/**
 * When a replication session's socket is read. The walsender sends every change as a message of
 * its own; over TCP, a reader that takes each one as it comes wakes up, reads and acknowledges
 * thousands of times a second, and each message costs the walsender a segment of its own. So after
 * a turn of the event loop that brought less than a batch, reading waits a millisecond: the
 * walsender's messages meanwhile join the segments already queued, and the next read takes them
 * all (200,000 changes over TCP: walsender CPU 3.7 → 2.9 s with a reader that does nothing, the
 * tap's median wall 4.05 → 3.28 s). Not over a Unix socket: its send buffer holds barely a
 * millisecond of changes, so the wait stalls the walsender (the tap's median went 3.13 → 3.55 s).
 * Not over TLS either: a paused TLS socket can keep records it already read undecrypted until more
 * bytes arrive, and a bench round stalled 30 s that way (until the server's next keepalive).
 * A full read-ahead queue holds the socket too; it is read again only when neither holds it.
 */
export interface GatedSocket {
  pause(): void;
  resume(): void;
  /** An IP address for TCP; undefined for a Unix socket. */
  readonly remoteAddress?: string | undefined;
  /** True for TLS. */
  readonly encrypted?: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

const BATCH_BYTES = 64 * 1024;
const WAIT_MS = 1;

export class SocketGate {
  private socket: GatedSocket | undefined;
  private queueFull = false;
  private waiting = false;
  private timer: NodeJS.Timeout | undefined;
  private turnBytes = 0;
  private turnScheduled = false;

  attach(socket: GatedSocket): void {
    this.socket = socket;
    if (socket.remoteAddress !== undefined && socket.encrypted !== true) socket.on('data', this.onData);
    this.apply();
  }

  /** The read-ahead queue is full (true), or has room again (false). */
  setQueueFull(full: boolean): void {
    this.queueFull = full;
    this.apply();
  }

  /** Stops holding the socket: once a session is stopping, what still arrives must be read for it to end. */
  close(): void {
    clearTimeout(this.timer);
    this.socket?.off('data', this.onData);
    this.socket?.resume();
    this.socket = undefined;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.turnBytes += chunk.length;
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.endOfTurn);
  };

  private readonly endOfTurn = (): void => {
    this.turnScheduled = false;
    const small = this.turnBytes < BATCH_BYTES;
    this.turnBytes = 0;
    if (!small || this.waiting || this.socket === undefined) return;
    this.waiting = true;
    this.apply();
    this.timer = setTimeout(() => {
      this.waiting = false;
      this.apply();
    }, WAIT_MS);
  };

  private apply(): void {
    if (this.queueFull || this.waiting) this.socket?.pause();
    else this.socket?.resume();
  }
}

// A child's peak RSS by polling /proc/<pid>/status: VmHWM is the kernel's own high-water mark, so
// sampling it every 50 ms misses at most the last 50 ms of the process.
import { readFileSync } from 'node:fs';

export interface RssPoll {
  /** Stops polling; the highest VmHWM seen, in kB (0 if none was read). */
  stop(): number;
}

export function pollPeakRss(pid: number | undefined): RssPoll {
  let peakKb = 0;
  const timer = setInterval(() => {
    try {
      const found = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (found) peakKb = Math.max(peakKb, Number(found[1]));
    } catch { /* exited between ticks */ }
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return peakKb;
    },
  };
}

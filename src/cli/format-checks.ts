import type { CheckResult } from '../postgres/checks/readiness-checks.js';

/** The readiness report: aligned text for people, JSON for machines (`--format json`). */
export function formatChecks(results: readonly CheckResult[], format: string): string {
  const ready = results.every((result) => result.status !== 'fail');
  if (format === 'json') return `${JSON.stringify({ ready, checks: results }, null, 2)}\n`;
  const width = Math.max(10, ...results.map((result) => result.database.length));
  const checkWidth = Math.max(10, ...results.map((result) => result.check.length));
  const mark = { pass: 'ok  ', fail: 'FAIL', warn: 'warn' } as const;
  const lines = results.map((result) => {
    const line = `${mark[result.status]}  ${result.database.padEnd(width)}  ${result.check.padEnd(checkWidth)}  ${result.detail}`;
    return result.status === 'pass' || result.fix === undefined ? line : `${line}\n      fix: ${result.fix}`;
  });
  return `${lines.join('\n')}\n\n${ready ? 'READY: every check passed' : `NOT READY: ${results.filter((r) => r.status === 'fail').length} check(s) failed`}\n`;
}

// Whether a process id names a live process on this host. Signal 0 checks without delivering anything;
// EPERM means the process exists but belongs to another user, so it is alive all the same. A zombie
// (exited, not yet reaped, as under a container init that never waits) answers signal 0 too, but it will
// never run again: /proc says so, and it counts as dead.

import { readFileSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = processStat(pid);
  return stat === null ? !hasProc() : stat.state !== 'Z' && stat.state !== 'X';
}

export interface ProcessStat {
  /** One letter: R, S, D, Z (zombie), X (dead), T… */
  readonly state: string;
  /** Clock ticks after boot at which the process started: with the pid, it names one process for ever. */
  readonly startTime: string;
}

/** /proc/<pid>/stat's state and start time, or null when there is no such process (or no /proc). */
export function processStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : null;
}

let procMounted: boolean | undefined;
function hasProc(): boolean {
  procMounted ??= processStat(process.pid) !== null;
  return procMounted;
}

/**
 * Whether the process that wrote `startTime` next to `pid` still runs: alive, not a zombie, and (when
 * both are known) started at the same tick, so a recycled pid does not keep a dead holder's lock.
 */
export function sameProcessAlive(pid: number, startTime: string | null): boolean {
  if (!processAlive(pid)) return false;
  if (startTime === null) return true;
  const stat = processStat(pid);
  return stat === null || stat.startTime === startTime;
}

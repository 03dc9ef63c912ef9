// Whether a process id names a live process on this host. Signal 0 checks without delivering anything;
// EPERM means the process exists but belongs to another user, so it is alive all the same.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Rolling verification runs while replication is live: a difference may only be a change not yet
// applied. Before a re-check, wait until every logical replication slot of the source database has
// confirmed the source's current WAL position (the changes made before it are on the target), or the
// timeout passes; then the re-check reads fresh snapshots.

import type { Side } from './side.js';

export interface DrainOptions {
  readonly drainTimeoutMs: number;
  readonly pollMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Returns true when the slots caught up, false when the timeout passed first. */
export async function waitForDrain(source: Side, opts: DrainOptions): Promise<boolean> {
  const v10 = source.serverVersion >= 100000;
  const position = v10 ? 'pg_current_wal_lsn()' : 'pg_current_xlog_location()';
  const [[lsn]] = (await source.rows(`SELECT ${position}::text`)) as [[string]];
  // confirmed_flush_lsn arrived in 9.6; on 9.5 waiting the timeout out is all there is.
  if (source.serverVersion < 90600) {
    await sleep(opts.drainTimeoutMs);
    return true;
  }
  const deadline = Date.now() + opts.drainTimeoutMs;
  for (;;) {
    const rows = await source.rows(
      `SELECT count(*)::text FROM pg_replication_slots WHERE database = current_database() AND slot_type = 'logical'
         AND (confirmed_flush_lsn IS NULL OR confirmed_flush_lsn < $1::pg_lsn)`,
      [lsn],
    );
    if (rows[0]?.[0] === '0') return true;
    if (Date.now() >= deadline) return false;
    await sleep(opts.pollMs);
  }
}

// What DMS does to a real source cluster, for the HTTP stand-in (test/support/dms-http.ts), as DMS does
// it on a self-managed PostgreSQL source (reference/dms.md §8):
// - a full-load-and-cdc or cdc task that runs gets one logical slot, made asynchronously `slotDelayMs`
//   after the task became running (never before the start call returns), with a generated opaque name
//   (DmsState.generatedSlotName), plugin test_decoding, on the database its source endpoint names;
//   a source endpoint with PostgreSQLSettings.SlotName makes the task use that slot instead;
// - the slot is consumed (advanced to the current WAL position) while the task runs, and left alone
//   while it is stopped or failed;
// - a task whose slot disappears while it runs fails, as DMS does ("replication slot … does not exist");
// - nothing is ever dropped by the stand-in: a stopped or deleted task leaves its slot behind.
// A restart with reload-target keeps the slot it had (DMS would make a new one; no test needs that).

import { DmsState, type StateTask } from './dms-state.js';

/** The slice of a test cluster the source side needs (test/support/pg-cluster.ts fits). */
export interface SourceCluster {
  query(sql: string, params?: unknown[], database?: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface SourceSideOptions {
  /** How long after a task became running DMS makes its slot (default 150 ms). */
  readonly slotDelayMs?: number;
}

export class DmsSourceSide {
  /** Slots made, in order, with the task and database: what tests compare attribution against. */
  readonly made: { task: string; slotName: string; database: string }[] = [];
  readonly #creating = new Set<string>();
  readonly #slotDelayMs: number;

  constructor(
    private readonly state: DmsState,
    private readonly source: SourceCluster,
    options: SourceSideOptions = {},
  ) {
    this.#slotDelayMs = options.slotDelayMs ?? 150;
  }

  /** One pass over the running CDC tasks: make missing slots, consume existing ones. */
  async tick(): Promise<void> {
    const tasks = this.state
      .replicators()
      .filter(
        (task) => task.migrationType !== 'full-load' && task.status === 'running' && task.runningSince !== undefined,
      );
    if (tasks.length === 0) return;
    const existing = await this.#slots();
    for (const task of tasks) {
      const database = this.state.sourceDatabaseOf(task);
      if (database === undefined) continue;
      if (task.slotName === undefined) {
        const named = this.state.namedSlotOf(task);
        if (named !== undefined) {
          if (!existing.has(named)) this.state.fail(task, `ERROR: replication slot "${named}" does not exist`);
          else task.slotName = named;
        } else if (this.state.now() - task.runningSince! >= this.#slotDelayMs) await this.#make(task, database);
        continue;
      }
      if (!existing.has(task.slotName)) {
        this.state.fail(
          task,
          `Failed to start CDC: ERROR: replication slot "${task.slotName}" does not exist [1022506]`,
        );
        continue;
      }
      if (existing.get(task.slotName) === false)
        await this.source
          .query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [task.slotName], database)
          .catch(() => undefined);
    }
  }

  async #slots(): Promise<Map<string, boolean>> {
    const result = await this.source.query('SELECT slot_name, active FROM pg_replication_slots');
    return new Map(result.rows.map((row) => [String(row.slot_name), row.active === true]));
  }

  async #make(task: StateTask, database: string): Promise<void> {
    if (this.#creating.has(task.arn)) return;
    this.#creating.add(task.arn);
    const slotName = DmsState.generatedSlotName(task);
    try {
      await this.source.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slotName], database);
      task.slotName = slotName;
      this.made.push({ task: task.id, slotName, database });
    } catch (error) {
      this.state.fail(task, `Failed to create the replication slot: ${(error as Error).message}`);
    } finally {
      this.#creating.delete(task.arn);
    }
  }
}

// What a verification finished so far, so an interrupted run (Ctrl-C, a lost connection, a killed
// process) resumes where it stopped: per table, the chunks compared and, once the table is done, its
// result. It sits next to the plan's journal (`.pgferry/<plan>/verify-<database>.json`), is replaced
// atomically, and applies only to the same comparison (mode, databases and table selection); it is
// removed once the verification completes. Resuming is exact when the source is fenced (cutover):
// chunks come from the same source rows.

import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { replaceFile } from '../contracts/atomic-file.js';
import { canonicalJson, hashJson } from '../contracts/canonical-json.js';
import { type ChunkRecord, keyId } from './compare-table.js';
import type { TableResult } from './report-types.js';

const CHECKPOINT_FORMAT = 1;

/** Where a database's verification checkpoint lives: next to the plan's journal. */
export function verifyCheckpointPath(journalDir: string, sourceDatabase: string): string {
  return join(journalDir, `verify-${sourceDatabase}.json`);
}

interface TableProgress {
  chunks: ChunkRecord[];
  result: TableResult | null;
}

interface CheckpointFile {
  format: typeof CHECKPOINT_FORMAT;
  fingerprint: string;
  tables: Record<string, TableProgress>;
}

/**
 * Test hook (PGFERRY_VERIFY_HOLD_AFTER_CHUNKS through the CLI): once this many chunks are recorded and
 * saved, say so on stderr and freeze the process, so a test can kill it at a known checkpoint without
 * timing. The whole event loop stops (Atomics.wait), so nothing after that chunk is compared or saved.
 */
function holdForever(chunks: number, file: string | null): never {
  process.stderr.write(`pgferry verify: holding after ${chunks} checkpointed chunk(s) in ${file}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

export class Checkpoint {
  #dirty = false;
  #recorded = 0;
  #holdAfter: number | null = null;
  #lastSave = 0;
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | null,
    readonly fingerprint: string,
    readonly resumedFrom: number,
    private readonly data: CheckpointFile,
  ) {}

  /** Opens the file when it belongs to the same comparison; otherwise starts empty. `null` keeps nothing. */
  static async open(
    file: string | null,
    identity: unknown,
    fresh: boolean,
    holdAfterChunks: number | null = null,
  ): Promise<Checkpoint> {
    const checkpoint = await Checkpoint.#read(file, identity, fresh);
    checkpoint.#holdAfter = holdAfterChunks;
    return checkpoint;
  }

  static async #read(file: string | null, identity: unknown, fresh: boolean): Promise<Checkpoint> {
    const fingerprint = hashJson(identity);
    const empty: CheckpointFile = { format: CHECKPOINT_FORMAT, fingerprint, tables: {} };
    if (file === null || fresh) return new Checkpoint(file, fingerprint, 0, empty);
    let data = empty;
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
      if (parsed.format === CHECKPOINT_FORMAT && parsed.fingerprint === fingerprint) data = parsed;
    } catch {
      // No file, or a torn one from an older writer: start over (the atomic write never tears).
    }
    const resumed = Object.values(data.tables).reduce(
      (n, table) => n + (table.result ? table.result.chunks : table.chunks.length),
      0,
    );
    return new Checkpoint(file, fingerprint, resumed, data);
  }

  #table(table: string): TableProgress {
    this.data.tables[table] ??= { chunks: [], result: null };
    return this.data.tables[table];
  }

  finished(table: string): TableResult | null {
    return this.data.tables[table]?.result ?? null;
  }

  /** Chunks of `table` already compared, by the key they start after. */
  chunksOf(table: string): Map<string, ChunkRecord> {
    return new Map((this.data.tables[table]?.chunks ?? []).map((chunk) => [keyId(chunk.lo), chunk]));
  }

  recordChunk(table: string, chunk: ChunkRecord): void {
    this.#table(table).chunks.push(chunk);
    this.#dirty = true;
    this.#recorded += 1;
    if (this.#recorded === this.#holdAfter) {
      const chunks = this.#recorded;
      void this.save().then(() => holdForever(chunks, this.file));
    } else if (Date.now() - this.#lastSave >= 1000) void this.save();
  }

  recordTable(table: string, result: TableResult): void {
    this.data.tables[table] = { chunks: [], result };
    this.#dirty = true;
    void this.save();
  }

  save(): Promise<void> {
    if (this.file === null || !this.#dirty) return this.#saving;
    const file = this.file;
    this.#dirty = false;
    this.#lastSave = Date.now();
    const text = canonicalJson(this.data);
    this.#saving = this.#saving.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await replaceFile(file, text);
    });
    return this.#saving;
  }

  /** The verification completed: nothing to resume. */
  async remove(): Promise<void> {
    await this.#saving.catch(() => undefined);
    if (this.file !== null) await rm(this.file, { force: true });
  }

  /** Progress for `status`: tables done and chunks compared. */
  static async progress(file: string): Promise<{ tablesDone: number; chunks: number; rows: number } | null> {
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
      let tablesDone = 0;
      let chunks = 0;
      let rows = 0;
      for (const table of Object.values(data.tables)) {
        if (table.result) {
          tablesDone += 1;
          chunks += table.result.chunks;
          rows += table.result.sourceRows;
        }
        chunks += table.chunks.length;
        rows += table.chunks.reduce((n, chunk) => n + chunk.sourceRows, 0);
      }
      return { tablesDone, chunks, rows };
    } catch {
      return null;
    }
  }
}

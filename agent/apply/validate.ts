// PostgreSQL's own verdict on config files before anyone reloads them: pg_hba_file_rules for pg_hba.conf
// (the agent's strict parser before 10), pg_file_settings for postgresql.auto.conf and what includes it.

import type { AgentContext } from '../context.js';
import { AgentError } from '../errors.js';
import { fileErrorsSql, fileWinnersSql, hbaErrorsSql } from '../pg/sql.js';

export async function validateHbaOnServer(ctx: AgentContext, v: number): Promise<void> {
  const sql = hbaErrorsSql(v);
  if (sql === null) return;
  const rows = await ctx.db.query<{ file_name: string | null; line_number: number; error: string }>(sql);
  if (rows.length > 0) {
    throw new AgentError('HBA_VALIDATION_FAILED', `pg_hba.conf line ${rows[0]!.line_number}: ${rows[0]!.error}`, {
      details: rows.map((r) => ({ file: r.file_name, line: r.line_number, error: r.error })),
    });
  }
}

export async function validateFileSettings(
  ctx: AgentContext,
  autoConf: string,
  names: readonly string[],
): Promise<void> {
  const rows = await ctx.db.query<{
    sourcefile: string | null;
    sourceline: number | null;
    name: string | null;
    error: string;
    context: string | null;
  }>(fileErrorsSql);
  // Not errors in the files: a postmaster setting that differs from the running value waits for a restart
  // (a changed value is flagged on its row; a removed one, as after a restore, on a row without a name).
  const hard = rows.filter(
    (r) =>
      !(r.error === 'setting could not be applied' && r.context === 'postmaster') &&
      !(r.name === null && /cannot be changed without restarting the server$/.test(r.error)),
  );
  if (hard.length > 0) {
    const first = hard[0]!;
    throw new AgentError(
      'SETTINGS_VALIDATION_FAILED',
      `${first.sourcefile ?? 'config'}:${first.sourceline ?? '?'}: ${first.name ?? 'syntax'}: ${first.error}`,
      {
        details: hard.map((r) => ({ file: r.sourcefile, line: r.sourceline, name: r.name, error: r.error })),
      },
    );
  }
  if (names.length === 0) return;
  const winners = await ctx.db.query<{ name: string; sourcefile: string | null; sourceline: number | null }>(
    fileWinnersSql,
    [names],
  );
  const overridden = winners.filter((w) => w.sourcefile !== autoConf);
  if (overridden.length > 0) {
    const o = overridden[0]!;
    throw new AgentError('OVERRIDDEN', `${o.name} is overridden by ${o.sourcefile}:${o.sourceline}`, {
      details: overridden.map((w) => ({ name: w.name, file: w.sourcefile, line: w.sourceline })),
    });
  }
}

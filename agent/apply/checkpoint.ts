// Journalling a step of an operation, and the test hook that stops the agent right after a named step so
// a test can SIGKILL it there. The hook is honoured only in test mode (NODE_ENV=test) and names one
// `kind:phase` (PGFERRY_AGENT_PAUSE_AT=apply:written); it never fires in production.

import type { AgentContext } from '../context.js';
import type { JournalEntry } from '../state/state-dir.js';

export function pauseAtFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.NODE_ENV !== 'test') return null;
  return env.PGFERRY_AGENT_PAUSE_AT || null;
}

/** Stops here for ever when the test hook names this point (the test then kills the process). */
export async function checkpoint(ctx: AgentContext, point: string): Promise<void> {
  if (ctx.pauseAt !== point) return;
  process.stderr.write(`pgferry agent: test hook: paused at ${point}\n`);
  await new Promise<never>(() => undefined);
}

/** Journals the phase, then passes the test hook's checkpoint of the same name. */
export async function step(ctx: AgentContext, entry: Omit<JournalEntry, 'at'>): Promise<void> {
  await ctx.state.journal(entry);
  await checkpoint(ctx, `${entry.kind}:${entry.phase}`);
}

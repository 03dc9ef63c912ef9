// One mutating operation at a time: the lock, a fresh operation id, and an audit record for a refusal.
// Successful outcomes are audited by the operation itself, which knows what it changed.

import type { AgentContext } from '../context.js';
import { type AgentError, toAgentError } from '../errors.js';
import { newId } from '../state/state-dir.js';
import { checkpoint } from './checkpoint.js';

export async function underLock<T>(
  ctx: AgentContext,
  audit: Readonly<Record<string, unknown>>,
  run: (operationId: string, audit: Readonly<Record<string, unknown>>) => Promise<T>,
  onError?: (error: AgentError) => void,
): Promise<T> {
  const operationId = newId('op');
  await ctx.state.acquire(operationId);
  const record = { operationId, ...audit };
  try {
    // The lock file exists, the journal still names the previous operation.
    await checkpoint(ctx, `${String(audit.kind)}:locked`);
    return await run(operationId, record);
  } catch (error) {
    const agentError = toAgentError(error);
    onError?.(agentError);
    await ctx.state
      .audit({ ...record, result: 'refused', errorCode: agentError.code, message: agentError.message })
      .catch(() => undefined);
    throw agentError;
  } finally {
    await ctx.state.release();
  }
}

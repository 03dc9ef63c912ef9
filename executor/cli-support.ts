// Shared by the executor's commands (apply, status, approve, cutover, abort, cleanup): flags with
// PGFERRY_* environment twins, opening a session, rendering progress and failures.

import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../cli/io.js';
import { topologicalOrder } from '../compiler/graph/order.js';
import type { GraphNode, Phase } from '../contracts/graph.js';
import type { EngineEvent, RunSummary } from './engine.js';
import { CompileFailed } from './load.js';
import { LockHeldError } from './lock.js';
import { driftLine, type Refresh } from './refresh.js';
import { type ExecutorOptions, PlanChangedError, Session } from './session.js';

const commonOptions = {
  compiled: { type: 'string' },
  'state-dir': { type: 'string' },
  region: { type: 'string' },
  'dms-endpoint': { type: 'string' },
  'ssm-endpoint': { type: 'string' },
  'cloudwatch-endpoint': { type: 'string' },
  'secretsmanager-endpoint': { type: 'string' },
  'agent-url': { type: 'string' },
  'agent-cert': { type: 'string' },
  'agent-key': { type: 'string' },
  'agent-ca': { type: 'string' },
  'target-url': { type: 'string' },
  'source-url': { type: 'string' },
  'source-password': { type: 'string' },
  parallelism: { type: 'string' },
  'poll-ms': { type: 'string' },
  'max-polls': { type: 'string' },
  'allow-plan-change': { type: 'boolean' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flag = keyof typeof commonOptions;

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

export class UsageError extends Error {}

export function parse(args: readonly string[], extra: ExtraOptions = {}): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...commonOptions, ...extra },
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values: values as Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function flag(parsed: ParsedArgs, io: CliIo, name: Flag): string | undefined {
  const value = parsed.values[name];
  if (typeof value === 'string') return value;
  const env = io.env[`PGFERRY_${name.toUpperCase().replace(/-/g, '_')}`];
  return env === undefined || env === '' ? undefined : env;
}

function numberFlag(parsed: ParsedArgs, io: CliIo, name: Flag): number | undefined {
  const text = flag(parsed, io, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} needs a whole number, not '${text}'`);
  return value;
}

/** How the plan is named in the commands we print back. */
export function planRef(parsed: ParsedArgs): string {
  const compiled = parsed.values.compiled;
  const file = parsed.positionals[0];
  return [typeof compiled === 'string' ? `--compiled ${compiled}` : null, file ?? null].filter(Boolean).join(' ');
}

export function sessionOptions(parsed: ParsedArgs, io: CliIo, log: (line: string) => void): ExecutorOptions {
  const planFile = parsed.positionals[0];
  const compiledDir = flag(parsed, io, 'compiled');
  if (planFile === undefined && compiledDir === undefined)
    throw new UsageError('name the plan: pgferry <command> PLAN.yaml');
  const pick = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    cwd: io.cwd,
    env: io.env,
    ...pick('planFile', compiledDir === undefined ? planFile : undefined),
    ...pick('compiledDir', compiledDir),
    ...pick('stateDir', flag(parsed, io, 'state-dir')),
    ...pick('region', flag(parsed, io, 'region')),
    ...pick('dmsEndpoint', flag(parsed, io, 'dms-endpoint')),
    ...pick('ssmEndpoint', flag(parsed, io, 'ssm-endpoint')),
    ...pick('cloudwatchEndpoint', flag(parsed, io, 'cloudwatch-endpoint')),
    ...pick('secretsManagerEndpoint', flag(parsed, io, 'secretsmanager-endpoint')),
    ...pick('agentUrl', flag(parsed, io, 'agent-url')),
    ...pick('agentCert', flag(parsed, io, 'agent-cert')),
    ...pick('agentKey', flag(parsed, io, 'agent-key')),
    ...pick('agentCa', flag(parsed, io, 'agent-ca')),
    ...pick('targetUrl', flag(parsed, io, 'target-url')),
    ...pick('sourceUrl', flag(parsed, io, 'source-url')),
    ...pick('sourcePassword', flag(parsed, io, 'source-password')),
    ...pick('parallelism', numberFlag(parsed, io, 'parallelism')),
    ...pick('pollMs', numberFlag(parsed, io, 'poll-ms')),
    ...pick('maxPolls', numberFlag(parsed, io, 'max-polls')),
    allowPlanChange: parsed.values['allow-plan-change'] === true,
    log,
  };
}

export async function openSession(parsed: ParsedArgs, io: CliIo): Promise<Session> {
  return Session.open(sessionOptions(parsed, io, (line) => io.stderr(`  ${line}\n`)));
}

export function renderEvent(io: CliIo, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
      io.stdout(`→ ${event.node.id}  ${event.node.title}\n`);
      break;
    case 'succeeded':
      io.stdout(
        `✓ ${event.node.id}${event.adopted ? '  (adopted existing)' : ''}${event.note ? `  ${event.note}` : ''}\n`,
      );
      break;
    case 'failed':
      io.stdout(`✗ ${event.node.id}  ${event.error}\n`);
      break;
    case 'waiting-gate':
      io.stdout(`⏸ ${event.node.id}  waiting for gate ${event.gate}\n`);
      break;
  }
}

/** What the refresh against AWS found, before the run's progress. */
export function renderRefresh(io: CliIo, refresh: Refresh, reset: readonly string[]): void {
  for (const item of refresh.drift) io.stdout(`drift: ${driftLine(item)}\n`);
  for (const line of refresh.unknown) io.stdout(`drift: cannot tell for ${line}\n`);
  if (reset.length > 0) io.stdout(`runs again after the refresh: ${reset.join(', ')}\n`);
}

/** apply/cutover/cleanup options for Ctrl-C: record the interrupted nodes and say how to go on. */
export function interruptOptions(io: CliIo, verb: string, ref: string) {
  return {
    ...(io.onInterrupt ? { onInterrupt: io.onInterrupt.bind(io) } : {}),
    onInterrupted: (nodes: readonly string[]) => {
      io.stderr(
        `\ninterrupted${nodes.length > 0 ? `: ${nodes.join(', ')} recorded as interrupted (what it started may still run, e.g. a DMS task)` : ''}\n` +
          `resume with:  pgferry ${verb} ${ref}  (finished nodes are skipped, existing resources adopted)\n` +
          `or undo with: pgferry abort ${ref}\n`,
      );
    },
  };
}

const PHASE_WORDS: Record<string, string> = { apply: 'prepare and load', cutover: 'the cutover', cleanup: 'cleanup' };

/**
 * What comes after the phases a command ran: the first gate not yet approved in a later phase (in
 * dependency order) and the command that continues, or null when nothing is left.
 */
export function nextStep(session: Session, phases: readonly Phase[], ref: string): string | null {
  const graph = session.compiled.graph;
  const left = topologicalOrder(graph.nodes, graph.edges).ordered.filter((node) => {
    const state = session.journal.nodes[node.id]?.state;
    return !phases.includes(node.phase) && state !== 'succeeded' && state !== 'skipped';
  });
  const first = left[0];
  if (!first) return null;
  const verb = first.phase === 'cleanup' ? 'cleanup' : first.phase === 'cutover' ? 'cutover' : 'apply';
  const gateOf = (node: GraphNode) => (node.kind === 'ManualGate' ? String(node.input.gate ?? '') : (node.gate ?? ''));
  const gate = left
    .filter((node) => node.phase === first.phase)
    .map(gateOf)
    .find((g) => g !== '' && !session.journal.gates[g]);
  return gate ? `pgferry approve ${ref} ${gate}, then pgferry ${verb} ${ref}` : `pgferry ${verb} ${ref}`;
}

/** The end of a run: what failed and why, or which gate waits, and the command to go on. */
export function renderSummary(
  io: CliIo,
  summary: RunSummary,
  plan: string,
  ref: string,
  verb: string,
  next: string | null = null,
): number {
  if (summary.failed.length > 0) {
    io.stderr(`\n${summary.failed.length} node(s) failed:\n`);
    for (const failure of summary.failed) io.stderr(`  ${failure.id}: ${failure.error}\n`);
    io.stderr(
      `\nfix the cause, then resume:  pgferry ${verb} ${ref}\nor undo what ran:          pgferry abort ${ref}\n`,
    );
    return 1;
  }
  for (const gate of summary.waitingGates) {
    io.stdout(`\nwaiting for approval: pgferry approve ${ref} ${gate}, then pgferry ${verb} ${ref}\n`);
  }
  if (summary.waitingGates.length === 0 && summary.blocked.length > 0) {
    io.stdout(`\n${summary.blocked.length} node(s) could not run yet: ${summary.blocked.join(', ')}\n`);
  }
  if (summary.waitingGates.length === 0 && summary.blocked.length === 0) {
    const what = PHASE_WORDS[verb] ?? verb;
    const then = next === null ? '' : `; next: ${next}`;
    io.stdout(
      summary.ran.length === 0
        ? `\n${plan}: nothing to do, ${what} already done${then}\n`
        : `\n${plan}: done${next === null ? '' : ` with ${what}`}${then}\n`,
    );
  }
  return 0;
}

type ExtraOptions = Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>;

/**
 * A command of the executor: `--help`, strict flags (a bad flag is a usage error, exit 2) and the
 * error guard around `body`.
 */
export function executorCommand(
  help: string,
  extra: ExtraOptions,
  body: (parsed: ParsedArgs, io: CliIo) => Promise<number>,
): CliCommand {
  return async (args, io) => {
    let parsed: ParsedArgs;
    try {
      parsed = parse(args, extra);
    } catch (error) {
      io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${help}`);
      return 2;
    }
    if (parsed.values.help) {
      io.stdout(help);
      return 0;
    }
    return guard(io, () => body(parsed, io), parsed.values.debug === true);
  };
}

/** Turns known failures into exit codes and one clear message; anything else is rethrown. */
export async function guard(io: CliIo, run: () => Promise<number>, debug: boolean): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    if (error instanceof PlanChangedError || error instanceof LockHeldError || error instanceof CompileFailed) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && !debug) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

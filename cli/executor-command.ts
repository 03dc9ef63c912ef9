// What the executor's commands (apply, status, approve, cutover, abort, cleanup, verify) share: the flags
// that say where the plan, the state and the systems are (each with its PGFERRY_* environment twin), the
// session they open, and which errors mean "the run failed" (exit 1) rather than "bad input" (exit 2).
//
// Adding an executor flag is one line in SESSION_FLAGS: its declaration and the ExecutorOptions key it
// fills.

import { CompiledDirRefused } from '../executor/compiled-check.js';
import { CompileFailed } from '../executor/load.js';
import { LockHeldError } from '../executor/lock.js';
import { type ExecutorOptions, PlanChangedError, Session } from '../executor/session.js';
import { NodeFailure } from '../executor/types.js';
import {
  type CommandDefinition,
  defineCommand,
  type Flag,
  type FlagValues,
  flag,
  type Invocation,
  UsageError,
} from './command.js';
import type { CliIo } from './io.js';

type SessionKey = keyof ExecutorOptions;

/** [flag, ExecutorOptions key]: the flag's value goes to Session.open under that key. */
const SESSION_FLAGS = {
  compiled: [
    flag.string('DIR', 'run a `pgferry compile -o` directory instead of PLAN.yaml', { env: 'PGFERRY_COMPILED' }),
    'compiledDir',
  ],
  'state-dir': [
    flag.string('DIR', 'where <plan>/journal.json lives (default: .pgferry/ next to the plan)', {
      env: 'PGFERRY_STATE_DIR',
    }),
    'stateDir',
  ],
  region: [flag.string('REGION', "AWS region (default: the plan's)", { env: 'PGFERRY_REGION' }), 'region'],
  'dms-endpoint': [flag.string('URL', 'DMS API endpoint', { env: 'PGFERRY_DMS_ENDPOINT' }), 'dmsEndpoint'],
  'rds-endpoint': [
    flag.string('URL', "RDS API endpoint (the target's parameter group)", { env: 'PGFERRY_RDS_ENDPOINT' }),
    'rdsEndpoint',
  ],
  'cloudwatch-endpoint': [
    flag.string('URL', 'CloudWatch API endpoint (CDC latency)', { env: 'PGFERRY_CLOUDWATCH_ENDPOINT' }),
    'cloudwatchEndpoint',
  ],
  'ssm-endpoint': [flag.string('URL', 'SSM API endpoint', { env: 'PGFERRY_SSM_ENDPOINT' }), 'ssmEndpoint'],
  'secretsmanager-endpoint': [
    flag.string('URL', 'Secrets Manager API endpoint', { env: 'PGFERRY_SECRETSMANAGER_ENDPOINT' }),
    'secretsManagerEndpoint',
  ],
  'agent-url': [
    flag.string('URL', "the source agent (default: the plan's source.agent)", { env: 'PGFERRY_AGENT_URL' }),
    'agentUrl',
  ],
  'agent-cert': [
    flag.string('FILE', 'client certificate for mTLS to the agent (with --agent-key)', { env: 'PGFERRY_AGENT_CERT' }),
    'agentCert',
  ],
  'agent-key': [flag.string('FILE', "the client certificate's private key", { env: 'PGFERRY_AGENT_KEY' }), 'agentKey'],
  'agent-ca': [flag.string('FILE', "CA of the agent's certificate", { env: 'PGFERRY_AGENT_CA' }), 'agentCa'],
  'target-url': [
    flag.string('URL', 'target connection (password from the plan)', { env: 'PGFERRY_TARGET_URL' }),
    'targetUrl',
  ],
  'source-url': [
    flag.string('URL', 'direct source connection (with --source-password)', { env: 'PGFERRY_SOURCE_URL' }),
    'sourceUrl',
  ],
  'source-password': [
    flag.string('REF', "the source password's secret reference (ssm:/…, secretsManager:…, env:NAME)", {
      env: 'PGFERRY_SOURCE_PASSWORD',
    }),
    'sourcePassword',
  ],
  parallelism: [flag.count('N', 'nodes run at once (default 4)', 1, { env: 'PGFERRY_PARALLELISM' }), 'parallelism'],
  'poll-ms': [flag.count('MS', 'poll interval of the waits (default 15000)', 0, { env: 'PGFERRY_POLL_MS' }), 'pollMs'],
  'max-polls': [
    flag.count('N', 'polls before a wait gives up (default 2880)', 0, { env: 'PGFERRY_MAX_POLLS' }),
    'maxPolls',
  ],
  'allow-plan-change': [
    flag.boolean('run again the nodes that ran under a different plan', { env: 'PGFERRY_ALLOW_PLAN_CHANGE' }),
    'allowPlanChange',
  ],
} as const satisfies Readonly<Record<string, readonly [Flag<unknown>, SessionKey]>>;

type SessionFlagSpecs = { readonly [K in keyof typeof SESSION_FLAGS]: (typeof SESSION_FLAGS)[K][0] };

/** The declarations of the executor's shared flags, for a command's `flags`. */
export const EXECUTOR_FLAGS = Object.fromEntries(
  Object.entries(SESSION_FLAGS).map(([name, [spec]]) => [name, spec]),
) as SessionFlagSpecs;

export type ExecutorFlagValues = FlagValues<SessionFlagSpecs>;

/** The errors of a run that are answers, not bugs: the plan changed, another run holds the lock, … */
export const EXECUTOR_FAILURES = [PlanChangedError, LockHeldError, CompileFailed, NodeFailure];
export const EXECUTOR_INPUT_ERRORS = [CompiledDirRefused];

export interface PlanInvocation {
  readonly flags: ExecutorFlagValues;
  /** The plan file; with --compiled, when given, it only names the plan in messages. */
  readonly planFile: string | undefined;
}

/** How the plan is named in the commands we print back. */
export function planRef(plan: PlanInvocation): string {
  return [plan.flags.compiled === undefined ? null : `--compiled ${plan.flags.compiled}`, plan.planFile ?? null]
    .filter(Boolean)
    .join(' ');
}

export function sessionOptions(plan: PlanInvocation, io: CliIo, log: (line: string) => void): ExecutorOptions {
  const compiledDir = plan.flags.compiled;
  const options: Record<string, unknown> = { cwd: io.cwd, env: io.env, log, allowPlanChange: false };
  if (compiledDir === undefined && plan.planFile !== undefined) options.planFile = plan.planFile;
  for (const [name, [, key]] of Object.entries(SESSION_FLAGS)) {
    const value = plan.flags[name as keyof ExecutorFlagValues];
    if (value !== undefined) options[key] = value;
  }
  return options as unknown as ExecutorOptions;
}

/** `extra`: options a command adds to the shared ones (apply's reviewed catalog). */
export async function openSession(
  plan: PlanInvocation,
  io: CliIo,
  extra: Partial<ExecutorOptions> = {},
): Promise<Session> {
  return Session.open({ ...sessionOptions(plan, io, (line) => io.stderr(`  ${line}\n`)), ...extra });
}

/** The plan and shared flags that `args` give (tests, and anything reading executor options outside a command). */
export function parsePlanArgs(args: readonly string[], io: CliIo): PlanInvocation {
  const invocation = PLAN_ONLY.parse(args, io);
  if (invocation === null) throw new UsageError('--help is not an invocation');
  const [first] = invocation.positionals;
  return { flags: invocation.flags, planFile: first };
}

const PLAN_ONLY = defineCommand({
  name: 'plan',
  synopsis: 'PLAN.yaml',
  description: '',
  flags: EXECUTOR_FLAGS,
  positionals: { min: 0, max: 1, missing: '' },
  run: async () => 0,
});

type ExecutorDefinition<F extends Record<string, Flag<unknown>>, O extends string> = Omit<
  CommandDefinition<SessionFlagSpecs & F, O>,
  'flags' | 'positionals' | 'run' | 'failures' | 'inputErrors' | 'externalFailures'
> & {
  readonly flags: F;
  /** Positionals after the plan (approve's GATE). */
  readonly extraPositionals?: { readonly min: number; readonly max: number; readonly missing: string };
  readonly failures?: CommandDefinition<F, O>['failures'];
  readonly inputErrors?: CommandDefinition<F, O>['inputErrors'];
  readonly run: (
    invocation: Invocation<SessionFlagSpecs & F, O> & PlanInvocation & { readonly rest: readonly string[] },
    io: CliIo,
  ) => Promise<number>;
};

/**
 * A command of the executor: PLAN.yaml (or --compiled DIR) plus the shared flags, errors from AWS, the
 * agent and PostgreSQL counted as the run failing (exit 1).
 */
export function executorCommand<F extends Record<string, Flag<unknown>>, O extends string = 'text'>(
  def: ExecutorDefinition<F, O>,
) {
  const extra = def.extraPositionals ?? { min: 0, max: 0, missing: '' };
  return defineCommand<SessionFlagSpecs & F, O>({
    ...def,
    // The command's own flags first in its usage, then the shared ones.
    flags: { ...def.flags, ...EXECUTOR_FLAGS },
    // Without --compiled the first positional is the plan; the check below says which one is missing.
    positionals: { min: 0, max: 1 + extra.max, missing: '' },
    failures: [...EXECUTOR_FAILURES, ...(def.failures ?? [])],
    inputErrors: [...EXECUTOR_INPUT_ERRORS, ...(def.inputErrors ?? [])],
    externalFailures: true,
    run: async (invocation, io) => {
      // With --compiled the plan file is optional: when given too, it only names the plan in messages.
      const compiled = invocation.flags.compiled !== undefined;
      const named = !compiled || invocation.positionals.length > extra.max;
      const [first, ...others] = invocation.positionals;
      const planFile = named ? first : undefined;
      const rest = named ? others : invocation.positionals;
      if (!compiled && planFile === undefined) {
        throw new UsageError(`name the plan: pgferry ${def.name} PLAN.yaml`, true);
      }
      if (rest.length < extra.min) throw new UsageError(extra.missing, true);
      if (rest.length > extra.max)
        throw new UsageError(`unexpected argument '${rest.slice(extra.max).join(' ')}'`, true);
      return def.run({ ...invocation, planFile, rest }, io);
    },
  });
}

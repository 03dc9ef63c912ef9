// The one way a pgferry command is declared and run: flags (with their environment twins), positionals,
// the usage text generated from those declarations, `--format`/`--json`, error printing and the exit-code
// policy. Commands say what they take and what they do; everything a user sees around that is here.
//
// Exit codes, the same for every command and whatever `--debug` says (it only adds stack traces):
//   0  ok, or stopped at a manual gate
//   1  plan errors, a failed node or check, changes found (diff, catalog --compare)
//   2  bad invocation, unreadable input, or an output that cannot be written (-o, --state-dir)
//   3  a pgferry bug
//
// This module is on the agent's start-up path (bin/pgferry-agent.js): it imports nothing heavier than
// node:util and contracts/suggest.

import { parseArgs } from 'node:util';
import { closest } from '../contracts/suggest.js';
import { type CliCommand, type CliIo, EXIT } from './io.js';

/** A malformed invocation (exit 2); `showUsage` prints the command's usage after the message. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input that cannot be read or an output that cannot be written (exit 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The command ran and the answer is "no" (exit 1): the message is the whole story, no stack. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

// ---- flags -------------------------------------------------------------------------------------------

interface FlagBase<T> {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Environment variable read when the flag is absent (booleans: `1` or `true`). */
  readonly env?: string;
  /** The value's placeholder in the usage text (FILE, URL, N). */
  readonly placeholder?: string;
  readonly help: string;
  /** Repeatable (`--database a --database b`): the values in order. */
  readonly multiple?: boolean;
  /** Turns the text given into the value the command reads; throws UsageError when it does not fit. */
  readonly convert: (text: string, shown: string) => T;
}

export type Flag<T> = FlagBase<T>;
export type FlagSpecs = Readonly<Record<string, Flag<unknown>>>;
export type FlagValues<F extends FlagSpecs> = {
  readonly [K in keyof F]: F[K] extends Flag<infer T> ? T | undefined : never;
};

interface FlagOptions {
  readonly short?: string;
  readonly env?: string;
}

const same = (text: string) => text;

/** One-line flag declarations: `out: flag.string('FILE', 'write there', { short: 'o', env: 'PGFERRY_OUT' })`. */
export const flag = {
  string(placeholder: string, help: string, options: FlagOptions = {}): Flag<string> {
    return { type: 'string', placeholder, help, convert: same, ...options };
  },
  boolean(help: string, options: FlagOptions = {}): Flag<boolean> {
    return { type: 'boolean', help, convert: (text) => text === '1' || text === 'true', ...options };
  },
  /** Repeatable: every value given, in order (the environment twin gives one). */
  list(placeholder: string, help: string, options: FlagOptions = {}): Flag<readonly string[]> {
    return {
      type: 'string',
      multiple: true,
      placeholder,
      help: `${help} (repeatable)`,
      convert: (text) => [text],
      ...options,
    };
  },
  /** A whole number ≥ min. */
  count(placeholder: string, help: string, min: number, options: FlagOptions = {}): Flag<number> {
    return {
      type: 'string',
      placeholder,
      help,
      convert: (text, shown) => {
        const value = Number(text);
        if (text.trim() === '' || !Number.isInteger(value) || value < min) {
          throw new UsageError(`${shown} needs a whole number ≥ ${min}, not '${text}'`);
        }
        return value;
      },
      ...options,
    };
  },
  /** One of a fixed set of words. */
  choice<T extends string>(choices: readonly T[], help: string, options: FlagOptions = {}): Flag<T> {
    return {
      type: 'string',
      placeholder: choices.join('|'),
      help,
      convert: (text, shown) => {
        if ((choices as readonly string[]).includes(text)) return text as T;
        const guess = closest(text, choices);
        throw new UsageError(
          `${shown} must be one of ${choices.join(', ')}, not '${text}'${guess ? ` (did you mean '${guess}'?)` : ''}`,
        );
      },
      ...options,
    };
  },
};

/** Every command takes these; `--debug` only adds stack traces, it never changes the exit code. */
const STANDARD_FLAGS = {
  help: flag.boolean('this text', { short: 'h' }),
  debug: flag.boolean('print the stack trace of an unexpected error (the exit code stays the same)'),
} as const;

// ---- command definition ------------------------------------------------------------------------------

export interface OutputSpec<O extends string> {
  readonly formats: readonly O[];
  /** The format without --format/--json; a function for a default that depends on the terminal. */
  readonly default: O | ((io: CliIo) => O);
  /** Environment twin of --format. */
  readonly env?: string;
  readonly help?: string;
}

export interface Invocation<F extends FlagSpecs, O extends string> {
  readonly flags: FlagValues<F>;
  readonly positionals: readonly string[];
  /** The chosen output format (`--json` is `--format json`); `text` for commands without formats. */
  readonly format: O;
  readonly debug: boolean;
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface CommandDefinition<F extends FlagSpecs, O extends string> {
  readonly name: string;
  /** What follows `pgferry <name>` in the usage line(s), e.g. `PLAN.yaml [options]`. */
  readonly synopsis: string | readonly string[];
  /** Prose under the usage line: what the command does, what its exit codes mean beyond the policy. */
  readonly description: string;
  readonly flags: F;
  readonly output?: OutputSpec<O>;
  readonly positionals?: { readonly min: number; readonly max: number; readonly missing: string };
  readonly examples?: readonly string[];
  /** Prose after the generated options (sections shared by several commands). */
  readonly epilogue?: string;
  /** Errors that mean the command ran and failed (exit 1). */
  readonly failures?: readonly ErrorClass[];
  /** Errors that mean an input could not be used (exit 2). */
  readonly inputErrors?: readonly ErrorClass[];
  /**
   * Commands that talk to AWS, PostgreSQL or the agent: an error from those systems that no class above
   * names is still the run failing (exit 1), not a pgferry bug. Programming errors (TypeError, …) stay 3.
   */
  readonly externalFailures?: boolean;
  readonly run: (invocation: Invocation<F, O>, io: CliIo) => Promise<number>;
}

export interface DefinedCommand<F extends FlagSpecs = FlagSpecs, O extends string = string> extends CliCommand {
  readonly usage: string;
  /** Every flag the command accepts, --help and --debug included. */
  readonly flagNames: readonly string[];
  /** The invocation `args` make (null for --help); throws UsageError. For tests and shared option readers. */
  readonly parse: (args: readonly string[], io: CliIo) => Invocation<F, O> | null;
}

function optionLines(flags: FlagSpecs, output: OutputSpec<string> | undefined): string[] {
  const rows: [string, string][] = [];
  if (output) {
    const env = output.env ? ` (env ${output.env})` : '';
    const fallback = typeof output.default === 'string' ? `; default ${output.default}` : '';
    rows.push([`    --format ${output.formats.join('|')}`, `${output.help ?? 'output format'}${fallback}${env}`]);
    if ((output.formats as readonly string[]).includes('json')) rows.push(['    --json', 'the same as --format json']);
  }
  for (const [name, spec] of Object.entries(flags)) {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : '';
    rows.push([`${short}--${name}${value}`, `${spec.help}${spec.env ? ` (env ${spec.env})` : ''}`]);
  }
  const width = Math.min(36, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`,
  );
}

function synopsisText(def: CommandDefinition<FlagSpecs, string>): string {
  const synopsis = typeof def.synopsis === 'string' ? [def.synopsis] : def.synopsis;
  return synopsis.map((line, i) => `${i === 0 ? 'usage:' : '      '} pgferry ${def.name} ${line}`.trimEnd()).join('\n');
}

function usageText(def: CommandDefinition<FlagSpecs, string>): string {
  const parts = [synopsisText(def), def.description.trimEnd()];
  parts.push(`options:\n${optionLines({ ...def.flags, ...STANDARD_FLAGS }, def.output).join('\n')}`);
  if (def.epilogue) parts.push(def.epilogue.trimEnd());
  if (def.examples && def.examples.length > 0) parts.push(`Example:\n${def.examples.map((e) => `  ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

function parseError(error: unknown, known: readonly string[]): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '--?([^']+)'/.exec(message)?.[1];
  if (unknown !== undefined) {
    const guess = closest(unknown, known);
    return new UsageError(`unknown option --${unknown}${guess ? ` (did you mean --${guess}?)` : ''}`, true);
  }
  return new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''), true);
}

function resolveFlags<F extends FlagSpecs>(
  specs: F,
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): FlagValues<F> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = values[name];
    if (Array.isArray(given)) out[name] = given.flatMap((text) => spec.convert(text, `--${name}`) as string[]);
    else if (typeof given === 'boolean') out[name] = given;
    else if (typeof given === 'string') out[name] = spec.convert(given, `--${name}`);
    else if (spec.env) {
      const text = io.env[spec.env];
      if (text !== undefined && text !== '') out[name] = spec.convert(text, spec.env);
    }
  }
  return out as FlagValues<F>;
}

function chooseFormat<O extends string>(
  output: OutputSpec<O> | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): O {
  if (!output) return 'text' as O;
  const given = values.format;
  if (values.json === true) {
    if (typeof given === 'string' && given !== 'json') throw new UsageError(`--json and --format ${given} disagree`);
    return 'json' as O;
  }
  const text = typeof given === 'string' ? given : output.env ? io.env[output.env] || undefined : undefined;
  if (text !== undefined) {
    const shown = typeof given === 'string' ? '--format' : output.env!;
    return flag.choice(output.formats, '').convert(text, shown);
  }
  return typeof output.default === 'function' ? output.default(io) : output.default;
}

const PROGRAMMING_ERRORS: readonly ErrorClass[] = [TypeError, RangeError, ReferenceError, EvalError, URIError];

/** A file-system error on a named path: the input or output the user pointed at is not usable. */
function fileSystemError(error: unknown): (Error & { code: string; path: string }) | null {
  if (!(error instanceof Error)) return null;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  return typeof code === 'string' && typeof path === 'string' && typeof syscall === 'string'
    ? (error as Error & { code: string; path: string })
    : null;
}

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
};

/** The exit code of an error that escaped a command body, and the one line that explains it. */
export function classifyError(
  error: unknown,
  def: Pick<CommandDefinition<FlagSpecs, string>, 'failures' | 'inputErrors' | 'externalFailures'>,
): { code: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || error instanceof InputError) return { code: EXIT.usage, message };
  if (error instanceof CommandFailed) return { code: EXIT.failed, message };
  if (def.inputErrors?.some((type) => error instanceof type)) return { code: EXIT.usage, message };
  if (def.failures?.some((type) => error instanceof type)) return { code: EXIT.failed, message };
  const fsError = fileSystemError(error);
  if (fsError) {
    // mkdir says EEXIST when a file stands where a directory of the path should be.
    const notDirectory = fsError.code === 'EEXIST' && (fsError as NodeJS.ErrnoException).syscall === 'mkdir';
    const reason = notDirectory
      ? 'a file stands where a directory is needed'
      : (FS_REASONS[fsError.code] ?? fsError.code);
    return { code: EXIT.usage, message: `cannot use ${fsError.path}: ${reason} (${fsError.code})` };
  }
  // Node's fetch reports an unreachable server as TypeError('fetch failed'): the network, not a bug.
  const network = error instanceof TypeError && message === 'fetch failed';
  const programming = !network && PROGRAMMING_ERRORS.some((type) => error instanceof type);
  if (def.externalFailures && error instanceof Error && !programming) {
    const cause = network && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { code: EXIT.failed, message: `${message}${cause}` };
  }
  return { code: EXIT.internal, message: `internal error (a pgferry bug; --debug shows where): ${message}` };
}

/** Prints what escaped a command and returns its exit code (main() uses it for load failures too). */
export function reportError(
  io: CliIo,
  name: string,
  error: unknown,
  debug: boolean,
  def: Parameters<typeof classifyError>[1] = {},
  synopsis?: string,
): number {
  const { code, message } = classifyError(error, def);
  io.stderr(`pgferry ${name}: ${message}\n`);
  // A malformed invocation gets the usage line and where the rest is, not the whole option list.
  if (error instanceof UsageError && error.showUsage && synopsis) {
    io.stderr(`\n${synopsis}\n(pgferry ${name} --help lists the options)\n`);
  }
  if (debug && error instanceof Error && error.stack && !(error instanceof UsageError)) io.stderr(`${error.stack}\n`);
  return code;
}

/** Declares a command: the returned function parses, answers --help, runs `run` and maps errors to codes. */
export function defineCommand<F extends FlagSpecs, O extends string = 'text'>(
  def: CommandDefinition<F, O>,
): DefinedCommand<F, O> {
  const all: FlagSpecs = { ...def.flags, ...STANDARD_FLAGS };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(all)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  if (def.output) {
    options.format = { type: 'string' };
    if ((def.output.formats as readonly string[]).includes('json')) options.json = { type: 'boolean' };
  }
  const flagNames = Object.keys(options).sort();
  const usage = usageText(def as unknown as CommandDefinition<FlagSpecs, string>);
  const synopsis = synopsisText(def as unknown as CommandDefinition<FlagSpecs, string>);

  /** The invocation, or null for --help; throws UsageError. */
  const parse = (args: readonly string[], io: CliIo): Invocation<F, O> | null => {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    } catch (error) {
      throw parseError(error, flagNames);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values.help === true) return null;
    const { positionals } = parsed;
    const count = def.positionals ?? { min: 0, max: 0, missing: '' };
    if (positionals.length < count.min) throw new UsageError(count.missing, true);
    if (positionals.length > count.max) {
      const extra = positionals.slice(count.max).join(' ');
      throw new UsageError(count.max === 0 ? `unexpected argument '${extra}'` : `too many arguments: '${extra}'`, true);
    }
    return {
      flags: resolveFlags(def.flags, values, io),
      positionals,
      format: chooseFormat(def.output, values, io),
      debug: values.debug === true,
    };
  };

  const command = async (args: readonly string[], io: CliIo): Promise<number> => {
    // Read before parsing, so a stack is shown even when the invocation is what failed.
    const debug = args.includes('--debug');
    try {
      const invocation = parse(args, io);
      if (invocation === null) {
        io.stdout(usage);
        return EXIT.ok;
      }
      return await def.run(invocation, io);
    } catch (error) {
      return reportError(io, def.name, error, debug, def, synopsis);
    }
  };
  return Object.assign(command, { usage, flagNames, parse });
}

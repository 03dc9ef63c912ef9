// What a CLI command may touch besides the file system: injected, so tests run commands in-process
// and capture their output. Every command is `(args, io) => exit code`.

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colour and progress bars only then, and only without NO_COLOR). */
  readonly isTTY: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends long-running commands (`status --serve`) in-process; the real CLI ends them on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /**
   * Ctrl-C during a run: `handler` records the interrupt, then the process exits 130. Returns the
   * unregister. Absent in tests that do not simulate it.
   */
  onInterrupt?(handler: () => Promise<void>): () => void;
}

export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** The plan has errors; `diff` found changes; a run failed. */
  failed: 1,
  /** Bad invocation or unreadable input. */
  usage: 2,
  /** pgferry's own bug (stack shown with --debug). */
  internal: 3,
} as const;

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    onInterrupt(handler) {
      const listener = () => {
        handler().finally(() => process.exit(130));
      };
      process.once('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  };
}

// Retries with exponential backoff for throttling and transient faults. The sleeper is injected so
// tests never wait on the wall clock.

export type Sleeper = (ms: number) => Promise<void>;

export const realSleep: Sleeper = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const RETRIABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'KMSThrottlingFault',
]);

function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const named = error as { name?: unknown; $retryable?: { throttling?: boolean } };
  return (typeof named.name === 'string' && RETRIABLE_NAMES.has(named.name)) || named.$retryable?.throttling === true;
}

export interface RetryOptions {
  readonly sleep: Sleeper;
  readonly attempts?: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Which errors are worth another attempt (default: throttling). */
  readonly retryable?: (error: unknown) => boolean;
}

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 20_000;
  const retryable = options.retryable ?? isThrottling;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!retryable(error) || attempt >= attempts) throw error;
      await options.sleep(Math.min(max, base * 2 ** (attempt - 1)));
    }
  }
}

// Which failures stop a verify run as a lost connection (resumable from the checkpoint) and which are
// one table's error. A kill of the target mid-query surfaced as `read ECONNRESET` and was reported as a
// table error in a finished run (seen in test/verify/pg10.test.ts under load): Node's socket codes
// are a lost connection too.

import { describe, expect, it } from 'vitest';
import { lostConnection } from '../../verify/side.js';

const error = (code: string | undefined, message = 'x') => Object.assign(new Error(message), { code });

describe('lostConnection', () => {
  it.each([
    ['a socket reset mid-query (read ECONNRESET)', error('ECONNRESET'), true],
    ['a write to a closed socket', error('EPIPE'), true],
    ['a refused reconnect', error('ECONNREFUSED'), true],
    ['a socket file gone with the server', error('ENOENT'), true],
    ['"Connection terminated unexpectedly" (no code)', error(undefined), true],
    ['not an Error at all', 'boom', true],
    ['admin_shutdown (immediate stop)', error('57P01'), true],
    ['crash_shutdown', error('57P02'), true],
    ['connection_failure', error('08006'), true],
    ['insufficient_privilege: the table, not the connection', error('42501'), false],
    ['undefined_table', error('42P01'), false],
    ['division_by_zero', error('22012'), false],
    ['statement too complex (54001)', error('54001'), false],
  ] as const)('%s', (_what, failure, lost) => {
    expect(lostConnection(failure)).toBe(lost);
  });
});

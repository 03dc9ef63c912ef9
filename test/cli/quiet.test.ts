// A normal pgferry command prints nothing the user did not ask for: not the AWS SDK's Node-version notice.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../cli/main.js';
import { SDK_NODE_WARNING_ENV } from '../../cli/quiet.js';

const before = process.env[SDK_NODE_WARNING_ENV];
const silentIo = { cwd: process.cwd(), env: {}, isTTY: false, stdout: () => {}, stderr: () => {} };
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** stderr of a Node process that only constructs the DMS client, as every executor command does. */
function stderrOfClientConstruction(setting: string | undefined): string {
  const env = { ...process.env };
  delete env[SDK_NODE_WARNING_ENV];
  if (setting !== undefined) env[SDK_NODE_WARNING_ENV] = setting;
  const script =
    "import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';" +
    "new DatabaseMigrationServiceClient({ region: 'eu-west-1' });";
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  expect(child.status).toBe(0);
  return child.stderr;
}

afterEach(() => {
  if (before === undefined) delete process.env[SDK_NODE_WARNING_ENV];
  else process.env[SDK_NODE_WARNING_ENV] = before;
});

describe('no third-party noise', () => {
  test('main() turns the SDK notice off before any command loads the SDK', async () => {
    delete process.env[SDK_NODE_WARNING_ENV];
    await main(['--help'], silentIo);
    expect(process.env[SDK_NODE_WARNING_ENV]).toBe('true');
  });

  test('a value the user set is left alone', async () => {
    process.env[SDK_NODE_WARNING_ENV] = 'false';
    await main(['--help'], silentIo);
    expect(process.env[SDK_NODE_WARNING_ENV]).toBe('false');
  });

  // The contract main() relies on: the SDK reads this variable. If an SDK upgrade renames it, this fails.
  test('the SDK prints its notice under Node < 22 unless the variable is true', () => {
    expect(stderrOfClientConstruction('true')).not.toContain('NodeVersionSupportWarning');
    const unset = stderrOfClientConstruction(undefined);
    if (nodeMajor < 22) expect(unset).toContain('NodeVersionSupportWarning');
    else expect(unset).not.toContain('NodeVersionSupportWarning');
  });
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two cores in CI: PostgreSQL clusters and vitest workers compete for them.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Tests load the AWS SDK in-process, not through bin/ (where cli/quiet.ts silences its Node-version
    // notice); the notice would repeat in every worker's output. test/cli/quiet.test.ts unsets it itself.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 120_000,
  },
});

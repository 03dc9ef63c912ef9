// `pgferry agent --config FILE`: run the source-host agent (also the `pgferry-agent` bin).
// `--check` validates the config, resolves the tokens and exits, for config management and CI.

import { parseArgs } from 'node:util';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry agent --config FILE [--check]

Runs the source-host agent: applies compiled source bundles, reports replication slots, serves
preflight, catalog and metrics. See docs/agent.md.

options:
  -c, --config FILE   agent config (YAML); env PGFERRY_AGENT_CONFIG
      --check         validate the config and the tokens, then exit
  -h, --help          this text

example:
  pgferry agent --config /etc/pgferry/agent.yaml
`;

export const command: CliCommand = async (args, io) => {
  let values: { config?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr(`pgferry agent: ${(error as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const file = values.config ?? io.env.PGFERRY_AGENT_CONFIG;
  if (!file) {
    io.stderr(`pgferry agent: --config is required\n\n${HELP}`);
    return EXIT.usage;
  }
  const { ConfigError, loadConfig } = await import('../../agent/config/load-config.js');
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`pgferry agent: invalid config:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (process.getuid?.() === 0 && !config.allowRoot) {
    io.stderr('pgferry agent: refusing to run as root (run as the postgres OS user, or set allowRoot: true)\n');
    return EXIT.usage;
  }
  const { createSecretResolver } = await import('../../agent/secrets.js');
  const { loadTokens } = await import('../../agent/auth.js');
  if (values.check) {
    try {
      await loadTokens(config.tokens, createSecretResolver(config.aws, io.env));
    } catch (error) {
      io.stderr(`pgferry agent: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
    io.stdout(
      `config ok: ${config.tokens.length} token(s), listen ${config.listen.host}:${config.listen.port}${config.tls ? ' (TLS)' : ''}\n`,
    );
    return EXIT.ok;
  }
  const { createAgent } = await import('../../agent/agent.js');
  const agent = await createAgent(
    config,
    { env: io.env },
    {
      logger: { level: 'info', redact: ['req.headers.authorization', 'req.headers.cookie'] },
      // Reads are too frequent to log one by one; mutations and refusals are in the audit log.
      disableRequestLogging: true,
    },
  );
  if (agent.recovery.interrupted) {
    io.stderr(
      `pgferry agent: recovered interrupted operation ${agent.recovery.interrupted.operationId} (restored: ${agent.recovery.restored})\n`,
    );
  }
  const address = await agent.app.listen({ host: config.listen.host, port: config.listen.port });
  io.stderr(`pgferry agent: listening on ${address}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await agent.close();
  return EXIT.ok;
};

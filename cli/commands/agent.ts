// `pgferry agent --config FILE`: run the source-host agent (also the `pgferry-agent` bin).
// `--check` validates the config, resolves the tokens and exits, for config management and CI.

import { defineCommand, flag, UsageError } from '../command.js';
import { EXIT } from '../io.js';

export const command = defineCommand({
  name: 'agent',
  synopsis: '--config FILE [--check]',
  description: `Runs the source-host agent: applies compiled source bundles, reports replication slots, serves
preflight, catalog and metrics. See docs/agent.md. An invalid config exits 2.`,
  flags: {
    config: flag.string('FILE', 'agent config (YAML)', { short: 'c', env: 'PGFERRY_AGENT_CONFIG' }),
    check: flag.boolean('validate the config and the tokens, then exit'),
  },
  examples: ['pgferry agent --config /etc/pgferry/agent.yaml'],
  // Secrets from AWS, the source's PostgreSQL, the listening socket: their failures are the run's (exit 1).
  externalFailures: true,
  run: async ({ flags: values }, io) => {
    const file = values.config;
    if (!file) throw new UsageError('--config is required', true);
    const { ConfigError, loadConfig, locate } = await import('../../agent/config/load-config.js');
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
    const { loadTokens, tokenExposureWarnings } = await import('../../agent/auth.js');
    const invalid = (error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`pgferry agent: invalid config:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return EXIT.usage;
    };
    if (values.check) {
      try {
        await loadTokens(config.tokens, createSecretResolver(config.aws, io.env), (pointer) => locate(config, pointer));
        const { StateDir } = await import('../../agent/state/state-dir.js');
        const { stat } = await import('node:fs/promises');
        // --check creates nothing: an absent state directory is made (0700) at start-up.
        const stateProblem = (await stat(config.stateDir).catch(() => null))
          ? await new StateDir(config.stateDir).init()
          : null;
        if (stateProblem) throw new ConfigError([`${locate(config, '/stateDir')}: ${stateProblem}`]);
      } catch (error) {
        if (error instanceof ConfigError) return invalid(error);
        io.stderr(`pgferry agent: ${(error as Error).message}\n`);
        return EXIT.failed;
      }
      for (const warning of tokenExposureWarnings(config.tokens)) io.stderr(`pgferry agent: warning: ${warning}\n`);
      io.stdout(
        `config ok: ${config.tokens.length} token(s), listen ${config.listen.host}:${config.listen.port}${config.tls ? ' (TLS)' : ''}\n`,
      );
      return EXIT.ok;
    }
    const { createAgent } = await import('../../agent/agent.js');
    const { agentLogger, requestLogController } = await import('../../agent/server.js');
    let agent: Awaited<ReturnType<typeof createAgent>>;
    try {
      agent = await createAgent(
        config,
        { env: io.env },
        // Reads are too frequent to log one by one; mutations and refusals are in the audit log.
        { logger: agentLogger(), logController: requestLogController(true) },
      );
    } catch (error) {
      return invalid(error);
    }
    for (const warning of tokenExposureWarnings(config.tokens)) io.stderr(`pgferry agent: warning: ${warning}\n`);
    const { recovery } = agent;
    if (recovery.clearedLock) io.stderr(`pgferry agent: cleared a stale operation lock (${recovery.clearedLock})\n`);
    if (recovery.interrupted) {
      io.stderr(
        `pgferry agent: recovered interrupted ${recovery.interrupted.kind} ${recovery.interrupted.operationId} at phase ${recovery.interrupted.phase}: ${recovery.result} (files restored: ${recovery.restored}, reloaded: ${recovery.reloaded})\n`,
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
  },
});

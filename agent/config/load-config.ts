// Loads the agent's YAML config, validates it (the schema's validator, precompiled at build time) and
// reports each problem with its file, line and column, then fills in defaults. Nothing here touches the
// network or PostgreSQL.

import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import type { Node as YamlNode } from 'yaml';
import { requirePackage } from '../require-package.js';
import validateConfig from '../validators/config.generated.js';
import { type AgentConfig, DEFAULT_SETTINGS_ALLOW_LIST } from './types.js';

const { isMap, isSeq, LineCounter, parseDocument }: typeof import('yaml') = requirePackage('yaml');

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function nodeAt(root: YamlNode | null, pointer: string): YamlNode | null {
  let node: YamlNode | null = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (isMap(node)) node = (node.get(key, true) as YamlNode | undefined) ?? null;
    else if (isSeq(node)) node = (node.get(Number(key), true) as YamlNode | undefined) ?? null;
    else return node;
  }
  return node;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown key '${String(params.additionalProperty)}'`;
  if (error.keyword === 'required') return `missing required key '${String(params.missingProperty)}'`;
  if (error.keyword === 'enum') return `${error.message} (${(params.allowedValues as unknown[]).join(', ')})`;
  if (error.keyword === 'pattern' && params.pattern === '^/') return `${error.message}: give an absolute path`;
  if (error.keyword === 'minItems' && error.instancePath === '/tokens') {
    return `${error.message}: the agent refuses to run without a token; add one ({ id, scopes, secret: { file | env | ssm } })`;
  }
  return error.message ?? error.keyword;
}

export function parseConfig(text: string, file: string): AgentConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw = doc.toJS() as unknown;
  if (!validateConfig(raw)) {
    const root = doc.contents as YamlNode | null;
    const problems = (validateConfig.errors ?? []).map((error) => {
      let pointer = error.instancePath;
      let node = nodeAt(root, pointer);
      if (error.keyword === 'additionalProperties') {
        // Point at the offending key itself, not at its value.
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        pointer = `${pointer}/${key}`;
        const pair = isMap(node)
          ? node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key)
          : undefined;
        node = (pair?.key as YamlNode | undefined) ?? node;
      }
      const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
      return `${file}:${pos.line}:${pos.col}: ${pointer || '/'}: ${describe(error)}`;
    });
    throw new ConfigError([...new Set(problems)].sort());
  }
  const config = withDefaults(raw as RawConfig);
  // Where the keys checked after parsing live, so their problems are located too (token files, state dir).
  const root = doc.contents as YamlNode | null;
  const at: Record<string, string> = {};
  const pointers = ['/stateDir', ...config.tokens.flatMap((_t, i) => [`/tokens/${i}`, `/tokens/${i}/secret`])];
  for (const pointer of pointers) {
    const node = nodeAt(root, pointer);
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      at[pointer] = `${file}:${pos.line}:${pos.col}`;
    }
  }
  return { ...config, source: { file, at } };
}

/** `file:line:col: /pointer` for a config key, or the pointer alone for a config built without a file. */
export function locate(config: AgentConfig, pointer: string): string {
  const where = config.source?.at[pointer];
  return where ? `${where}: ${pointer}` : pointer;
}

type RawConfig = {
  [K in keyof AgentConfig]?: unknown;
} & Record<string, unknown>;

function withDefaults(raw: RawConfig): AgentConfig {
  const r = raw as unknown as {
    listen?: { host?: string; port?: number };
    tls?: AgentConfig['tls'];
    allowRoot?: boolean;
    allowPlainHttpOnNonLoopback?: boolean;
    aws?: AgentConfig['aws'];
    tokens: AgentConfig['tokens'];
    postgres: Partial<AgentConfig['postgres']> & { host: string };
    paths?: AgentConfig['paths'];
    restart?: { allowed?: boolean; command: string[]; timeoutSeconds?: number };
    stateDir: string;
    slots?: { dropPrefixes?: string[] };
    settingsAllowList?: string[];
    hbaPolicy?: { allowMd5?: boolean; allowAnyAddress?: boolean };
    limits?: { bodyBytes?: number; planTtlSeconds?: number; mutationsPerMinute?: number };
    cache?: { slotsMs?: number };
  };
  const config: AgentConfig = {
    listen: { host: r.listen?.host ?? '127.0.0.1', port: r.listen?.port ?? 8443 },
    tls: r.tls ?? null,
    allowRoot: r.allowRoot ?? false,
    allowPlainHttpOnNonLoopback: r.allowPlainHttpOnNonLoopback ?? false,
    aws: r.aws ?? {},
    tokens: r.tokens,
    postgres: {
      host: r.postgres.host,
      port: r.postgres.port ?? 5432,
      user: r.postgres.user ?? 'postgres',
      database: r.postgres.database ?? 'postgres',
      ...(r.postgres.password ? { password: r.postgres.password } : {}),
      connectTimeoutMs: r.postgres.connectTimeoutMs ?? 5000,
    },
    paths: r.paths ?? {},
    restart: r.restart
      ? {
          allowed: r.restart.allowed ?? true,
          command: r.restart.command,
          timeoutSeconds: r.restart.timeoutSeconds ?? 180,
        }
      : null,
    stateDir: r.stateDir,
    slots: { dropPrefixes: r.slots?.dropPrefixes ?? ['dms_', 'pgferry_'] },
    settingsAllowList: r.settingsAllowList ?? DEFAULT_SETTINGS_ALLOW_LIST,
    hbaPolicy: { allowMd5: r.hbaPolicy?.allowMd5 ?? true, allowAnyAddress: r.hbaPolicy?.allowAnyAddress ?? false },
    limits: {
      bodyBytes: r.limits?.bodyBytes ?? 262_144,
      planTtlSeconds: r.limits?.planTtlSeconds ?? 900,
      mutationsPerMinute: r.limits?.mutationsPerMinute ?? 60,
    },
    cache: { slotsMs: r.cache?.slotsMs ?? 1000 },
  };
  const ids = config.tokens.map((t) => t.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError([`tokens: duplicate token id '${duplicate}'`]);
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.listen.host);
  if (!loopback && config.tls === null && !config.allowPlainHttpOnNonLoopback) {
    throw new ConfigError([
      `listen.host: ${config.listen.host} is not loopback and no tls is configured (set tls, or allowPlainHttpOnNonLoopback: true)`,
    ]);
  }
  return config;
}

export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot read: ${(error as Error).message}`]);
  }
  return parseConfig(text, file);
}

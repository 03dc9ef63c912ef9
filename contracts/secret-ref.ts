// A secret is never written into a plan, an artifact, a journal or a log: only a reference to where it
// lives. The executor and the agent resolve references at the moment of use.

export type SecretRef = { readonly ssm: string } | { readonly secretsManager: string } | { readonly env: string };

export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'ssm' || keys[0] === 'secretsManager' || keys[0] === 'env');
}

export interface SecretsManagerId {
  /** What GetSecretValue takes: a name or an ARN. */
  readonly secretId: string;
  /** A key of the JSON secret, from `#field`; null (also for a bare `name#`) takes `password` when present. */
  readonly field: string | null;
}

/**
 * `name-or-arn#field` → its parts. Secret names allow letters, digits and /_+=.@- only, so `#` cannot be
 * part of a name or an ARN: the first one starts the field.
 */
export function parseSecretsManagerId(text: string): SecretsManagerId {
  const hash = text.indexOf('#');
  if (hash < 0) return { secretId: text, field: null };
  return { secretId: text.slice(0, hash), field: text.slice(hash + 1) || null };
}

/** `ssm:/pgferry/orders/dms`, `secretsManager:arn:…`, `env:PGPASSWORD`: the form used inside placeholders. */
export function formatSecretRef(ref: SecretRef): string {
  if ('ssm' in ref) return `ssm:${ref.ssm}`;
  if ('secretsManager' in ref) return `secretsManager:${ref.secretsManager}`;
  return `env:${ref.env}`;
}

export function parseSecretRef(text: string): SecretRef | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const scheme = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (rest === '') return undefined;
  if (scheme === 'ssm') return { ssm: rest };
  if (scheme === 'secretsManager') return { secretsManager: rest };
  if (scheme === 'env') return { env: rest };
  return undefined;
}

/**
 * Placeholders that compiled artifacts carry where a value only exists at run time.
 * - `@secret(ssm:/path)`: a secret value the executor resolves just before the API call.
 * - `@ref(<graph node id>#<output name>)`: an output of an earlier graph node, e.g. an ARN.
 */
export const SECRET_PLACEHOLDER = /^@secret\((.+)\)$/;
export const REF_PLACEHOLDER = /^@ref\(([^#()]+)#([A-Za-z0-9_]+)\)$/;

export function secretPlaceholder(ref: SecretRef): string {
  return `@secret(${formatSecretRef(ref)})`;
}

export function refPlaceholder(nodeId: string, output: string): string {
  return `@ref(${nodeId}#${output})`;
}

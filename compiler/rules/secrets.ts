// No secret in clear text, secret references that resolve, and no token sent over plain HTTP.

import { compareText } from '../../contracts/compare.js';
import { parseSecretsManagerId } from '../../contracts/secret-ref.js';
import { defineCode } from '../diagnostics/codes.js';
import { escapeSegment } from '../front/locate.js';
import type { Plan, SecretRef } from '../model/plan.js';
import type { Rule } from './rule.js';

export const SECRET_CLEAR_TEXT = defineCode({
  code: 'PGF3600',
  name: 'secret-clear-text',
  severity: 'error',
  title: 'Something that looks like a secret is written in clear text',
  explanation:
    'Plans are reviewed in pull requests and copied into artifacts and logs, so a password, token or key written into ' +
    'the description, tags or task settings leaks. Secrets are referenced only: {ssm: /path}, {secretsManager: ' +
    'name-or-arn}, or {env: NAME} for local runs. Move the value into SSM or Secrets Manager and rotate it.',
});

export const SECRET_ENV_REMOTE = defineCode({
  code: 'PGF3601',
  name: 'secret-env-remote',
  severity: 'warning',
  title: 'An {env:} secret reference in a plan that runs against AWS',
  explanation:
    'An {env: NAME} reference is read from the environment of whoever runs the executor, so the same plan behaves ' +
    'differently per machine and the secret sits in shell history or CI variables. It is meant for local rehearsals; ' +
    'use {ssm:} or {secretsManager:} for plans that run against AWS.',
});

export const SECRET_REF_INVALID = defineCode({
  code: 'PGF3602',
  name: 'secret-ref-invalid',
  severity: 'error',
  title: 'A secret reference or role ARN is malformed',
  explanation:
    'SSM parameter names with a path start with "/" and contain only letters, digits and .-_/ (at most 2048 ' +
    'characters); Secrets Manager ids are names or secret ARNs; environment variable names are [A-Za-z_][A-Za-z0-9_]*; ' +
    'the DMS access role is an IAM role ARN. A malformed reference fails only at apply time, mid-migration.',
});

export const AGENT_PLAIN_HTTP = defineCode({
  code: 'PGF3603',
  name: 'agent-plain-http',
  severity: 'warning',
  title: 'The agent or Patroni API is reached over plain HTTP',
  explanation:
    'The agent token (and Patroni credentials) would cross the network unencrypted, and the agent can restart ' +
    'PostgreSQL and rewrite pg_hba.conf. Serve the agent over https with a certificate from your internal CA.',
});

/** `password: hunter2`, `token=abc123…`: a secret-ish word, then a value with a digit or symbol. */
const SECRET_ASSIGNMENT = /\b(password|passwd|pwd|secret|token|api[_-]?key)\b\s*[:=]\s*(\S+)/gi;
/** A connection URL with a password in it: `postgres://user:pw@host`. */
const URL_WITH_PASSWORD = /\bpostgres(ql)?:\/\/[^:/\s]+:[^@\s]+@/i;

function looksLikeSecretText(text: string): boolean {
  if (URL_WITH_PASSWORD.test(text)) return true;
  // Plain words ("token: weekly rotation") are prose, not secrets.
  return [...text.matchAll(SECRET_ASSIGNMENT)].some(([, , value = '']) => value.length >= 6 && /[^A-Za-z]/.test(value));
}
const SECRET_KEY = /(password|passwd|secret|token|credential|api[_-]?key)/i;

function refProblem(ref: SecretRef): string | null {
  if ('ssm' in ref) {
    const name = ref.ssm;
    if (name.length === 0 || name.length > 2048) return 'an SSM parameter name is 1–2048 characters';
    if (!/^[A-Za-z0-9_.\-/]+$/.test(name))
      return `SSM parameter name "${name}" has characters other than letters, digits and .-_/`;
    if (name.includes('/') && !name.startsWith('/')) return `SSM parameter path "${name}" must start with "/"`;
    if (/^\/?(aws|ssm)/i.test(name) && !name.startsWith('/aws/reference/secretsmanager/'))
      return `SSM parameter name "${name}" starts with the reserved prefix aws or ssm`;
    return null;
  }
  if ('secretsManager' in ref) {
    // `name#field` picks one key of a JSON secret; `#` is not allowed in secret names or ARNs.
    const { secretId: id, field } = parseSecretsManagerId(ref.secretsManager);
    if (ref.secretsManager.includes('#') && !/^[A-Za-z0-9_.-]{1,128}$/.test(field ?? ''))
      return `"${ref.secretsManager}" names an invalid field after '#' (letters, digits, _ . - only)`;
    if (id.startsWith('arn:')) {
      return /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(id)
        ? null
        : `"${id}" is not a Secrets Manager secret ARN`;
    }
    return /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(id) ? null : `"${id}" is not a valid Secrets Manager secret name`;
  }
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.env) ? null : `"${ref.env}" is not an environment variable name`;
}

function secretRefs(plan: Plan): { pointer: string; ref: SecretRef }[] {
  return [
    { pointer: '/source/migration_user/password', ref: plan.source.migration_user.password },
    { pointer: '/source/agent/token', ref: plan.source.agent.token },
    { pointer: '/target/admin_user/password', ref: plan.target.admin_user.password },
    { pointer: '/target/migration_user/password', ref: plan.target.migration_user.password },
  ];
}

function settingsSecrets(value: unknown, pointer: string, out: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const at = `${pointer}/${escapeSegment(key)}`;
    if (typeof inner === 'string' && inner !== '' && (SECRET_KEY.test(key) || looksLikeSecretText(inner))) out.push(at);
    else settingsSecrets(inner, at, out);
  }
}

/** Plans that run against AWS: DMS engine, or a managed target. */
function runsAgainstAws(plan: Plan): boolean {
  return plan.engine === 'dms' || plan.target.kind !== 'self-managed';
}

export const secretsRule = {
  codes: [SECRET_CLEAR_TEXT, SECRET_ENV_REMOTE, SECRET_REF_INVALID, AGENT_PLAIN_HTTP],
  needsCatalog: false,
  check({ plan, report }) {
    const clear: string[] = [];
    if (looksLikeSecretText(plan.description)) clear.push('/description');
    for (const [key, value] of Object.entries(plan.dms.tags).sort(([a], [b]) => compareText(a, b))) {
      if ((SECRET_KEY.test(key) && value !== '') || looksLikeSecretText(value))
        clear.push(`/dms/tags/${escapeSegment(key)}`);
    }
    plan.dms.tasks.forEach((task, index) => {
      settingsSecrets(task.settings, `/dms/tasks/${index}/settings`, clear);
    });
    for (const pointer of clear) {
      report({
        code: SECRET_CLEAR_TEXT.code,
        pointer,
        message: 'this value looks like a secret written in clear text',
        hint: 'store it in SSM or Secrets Manager, reference it, and rotate the exposed value',
      });
    }
    for (const { pointer, ref } of secretRefs(plan)) {
      const problem = refProblem(ref);
      if (problem)
        report({ code: SECRET_REF_INVALID.code, pointer, message: `secret reference is invalid: ${problem}` });
      if ('env' in ref && runsAgainstAws(plan)) {
        report({
          code: SECRET_ENV_REMOTE.code,
          pointer,
          message: `secret comes from environment variable ${ref.env} in a plan that runs against AWS`,
          hint: 'use {ssm: /path} or {secretsManager: name}',
        });
      }
    }
    const credentials = plan.dms.credentials;
    if (credentials.mode === 'secrets_manager') {
      if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(credentials.access_role_arn)) {
        report({
          code: SECRET_REF_INVALID.code,
          pointer: '/dms/credentials/access_role_arn',
          message: `"${credentials.access_role_arn}" is not an IAM role ARN`,
          hint: 'e.g. arn:aws:iam::123456789012:role/dms-secrets-access',
        });
      }
      for (const side of ['source_secret', 'target_secret'] as const) {
        // DMS reads these secrets itself and takes a bare id: no `#field` here.
        const problem = credentials[side].includes('#')
          ? `"${credentials[side]}" has a '#field'; DMS takes the whole secret (username, password, host, port)`
          : refProblem({ secretsManager: credentials[side] });
        if (problem)
          report({
            code: SECRET_REF_INVALID.code,
            pointer: `/dms/credentials/${side}`,
            message: `secret id is invalid: ${problem}`,
          });
      }
    }
    const urls = [{ pointer: '/source/agent/url', url: plan.source.agent.url }];
    if (plan.source.patroni) urls.push({ pointer: '/source/patroni/rest_url', url: plan.source.patroni.rest_url });
    for (const { pointer, url } of urls) {
      if (/^http:\/\//i.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])([:/]|$)/i.test(url)) {
        report({
          code: AGENT_PLAIN_HTTP.code,
          pointer,
          message: `"${url}" is plain HTTP; credentials would cross the network unencrypted`,
          hint: 'use https',
        });
      }
    }
  },
} satisfies Rule;

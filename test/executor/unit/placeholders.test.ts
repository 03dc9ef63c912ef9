// Placeholders resolve deeply; secrets are resolved once, remembered for redaction, never echoed.

import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePlaceholders } from '../../../executor/placeholders.js';
import { Redactor } from '../../../executor/redact.js';
import { SecretResolver } from '../../../executor/secrets.js';
import { ssmFake } from '../../support/dms-fake.js';

const noSleep = async () => undefined;

describe('placeholders', () => {
  const fake = ssmFake({ '/app/pw': 'hunter2-secret' });
  afterAll(() => fake.restore());

  it('replaces refs and secrets anywhere in a value', async () => {
    const redactor = new Redactor();
    const secrets = new SecretResolver(new SSMClient({ region: 'eu-west-1' }), redactor, noSleep, {
      TOKEN: 'env-token-1',
    });
    const outputs = (id: string) => (id === 'dms.instance.ri.create' ? { arn: 'arn:aws:dms:x:rep:1' } : undefined);
    const value = await resolvePlaceholders(
      {
        ReplicationInstanceArn: '@ref(dms.instance.ri.create#arn)',
        Settings: { Password: '@secret(ssm:/app/pw)', list: ['@secret(env:TOKEN)', 3, null] },
        Note: 'instance @ref(dms.instance.ri.create#arn) ok',
      },
      outputs,
      secrets,
    );
    expect(value).toEqual({
      ReplicationInstanceArn: 'arn:aws:dms:x:rep:1',
      Settings: { Password: 'hunter2-secret', list: ['env-token-1', 3, null] },
      Note: 'instance arn:aws:dms:x:rep:1 ok',
    });
    expect(redactor.redact('login failed for hunter2-secret / env-token-1')).toBe('login failed for *** / ***');
    expect(fake.reads).toEqual(['/app/pw']);
  });

  it('says which ref is missing', async () => {
    const secrets = new SecretResolver(new SSMClient({ region: 'eu-west-1' }), new Redactor(), noSleep, {});
    await expect(resolvePlaceholders({ a: '@ref(n.x#arn)' }, () => undefined, secrets)).rejects.toThrow(
      "placeholder @ref(n.x#arn): node n.x has no output 'arn' yet",
    );
  });

  it('names a missing parameter without any value', async () => {
    const secrets = new SecretResolver(new SSMClient({ region: 'eu-west-1' }), new Redactor(), noSleep, {});
    await expect(resolvePlaceholders('@secret(ssm:/nope)', () => undefined, secrets)).rejects.toThrow(
      'secret ssm:/nope could not be read (ParameterNotFound)',
    );
  });
});

// SSM parameters: resolving one proves it exists and is readable before anything depends on it. The
// value stays in memory (the resolver's cache); the journal records only the parameter's name.

import { optionalString, requireString } from '../inputs.js';
import type { Handler } from '../types.js';

function parameterOf(input: Readonly<Record<string, unknown>>): string | undefined {
  const name = optionalString(input, 'name') ?? optionalString(input, 'parameter') ?? optionalString(input, 'path');
  if (name !== undefined) return name.startsWith('ssm:') ? name.slice(4) : name;
  const ref = input.ref;
  if (typeof ref === 'object' && ref !== null && typeof (ref as { ssm?: unknown }).ssm === 'string') {
    return (ref as { ssm: string }).ssm;
  }
  return undefined;
}

export const ssmHandler: Handler = {
  async run(node, ctx) {
    const name = parameterOf(node.input) ?? requireString(node, node.input, 'name');
    await ctx.resolve(`@secret(ssm:${name})`);
    return { status: 'succeeded', outputs: { parameter: name, version: ctx.secretVersion(name) } };
  },
  async probe(node) {
    return { action: 'run', detail: `read SSM parameter ${parameterOf(node.input) ?? '?'} (value not shown)` };
  },
};

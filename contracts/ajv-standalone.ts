// Writes ajv validators as standalone ES modules: the process that validates then loads neither ajv's
// compiler nor its schema compilation at start-up, only the few runtime helpers the generated code
// requires. The code is written as JavaScript with a declaration file beside it, not as TypeScript:
// tsc would reprint ajv's one-line functions indented, two to three times the bytes, and V8 keeps every
// loaded module's source for the life of the process. scripts/build.mjs copies `*.generated.js` to dist/.
// Build-time only: generators and their freshness tests import this; no running process does.

import type { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

/** The code options standalone output needs: the source kept, ES module exports, no line breaks. */
export const STANDALONE_CODE = { source: true, esm: true, lines: false } as const;

/** What a standalone validator is to its callers (the declaration files say so). */
export const VALIDATOR_TYPE = [
  "import type { ErrorObject } from 'ajv';",
  '',
  "/** An ajv validator compiled at build time: `errors` holds the last call's errors. */",
  'export interface StandaloneValidator {',
  '  (data: unknown): boolean;',
  '  errors?: ErrorObject[] | null;',
  '}',
];

export interface StandaloneModule {
  /** What the files are generated from and how to regenerate them; each line becomes a `//` comment. */
  readonly header: readonly string[];
  /** JavaScript appended after the validators (for example a lookup table over the exports). */
  readonly trailer?: readonly string[];
  /** The declaration file's exports, after VALIDATOR_TYPE. */
  readonly declarations: readonly string[];
}

export interface StandaloneFiles {
  /** `<name>.generated.js` */
  readonly js: string;
  /** `<name>.generated.d.ts` */
  readonly dts: string;
}

/**
 * The module of `validators`: one compiled function (exported as `validate` and default), or export
 * names mapped to schema keys added to `ajv` beforehand.
 */
export function standaloneModule(
  ajv: Ajv,
  validators: ReturnType<Ajv['compile']> | Readonly<Record<string, string>>,
  module: StandaloneModule,
): StandaloneFiles {
  const code =
    typeof validators === 'function'
      ? standaloneCode.default(ajv, validators)
      : standaloneCode.default(ajv, { ...validators });
  const header = module.header.map((line) => `// ${line}`);
  const js = [
    ...header,
    "import { createRequire } from 'node:module';",
    '',
    '// ajv emits require() for its runtime helpers even in ESM output.',
    'const require = createRequire(import.meta.url);',
    code,
    ...(module.trailer ?? []),
    '',
  ].join('\n');
  const dts = [...header, ...VALIDATOR_TYPE, '', ...module.declarations, ''].join('\n');
  return { js, dts };
}

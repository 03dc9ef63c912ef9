// Generates templates.generated.ts: every template under ./templates precompiled by Handlebars, so a
// compile loads only the Handlebars runtime, not its parser and code generator (together about 60 ms
// of every `pgferry compile`, more than the templates' rendering). test/compiler/emit/templates.test.ts
// fails when the file is stale and rewrites it with PGFERRY_UPDATE_GOLDEN=1 (npm run test:update-golden).

import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

/** Output is text, never HTML: no escaping; a missing field is an error, not an empty string. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

const templatesDir = new URL('./templates/', import.meta.url);

export function precompiledTemplatesSource(): string {
  const files = readdirSync(templatesDir)
    .filter((file) => file.endsWith('.hbs'))
    .sort();
  const entries = files.map((file) => {
    const spec = Handlebars.precompile(readFileSync(new URL(file, templatesDir), 'utf8'), TEMPLATE_OPTIONS);
    return `  ${JSON.stringify(file.slice(0, -'.hbs'.length))}: ${spec},`;
  });
  return [
    '// @ts-nocheck',
    '// Generated from compiler/emit/templates/*.hbs by compiler/emit/templates-source.ts. Do not edit:',
    '// change a template, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/emit.',
    '',
    'export const templateSpecs = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

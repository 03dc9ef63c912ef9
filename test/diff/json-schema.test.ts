// Every JSON golden output validates against the published schema of `pgferry diff --format json`.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CONSEQUENCE_KINDS } from '../../diff/impact/consequence.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../diff/diff-output.schema.json'), 'utf8'));
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
const CASES_DIR = join(import.meta.dirname, '../fixtures/diff/cases');

function stdoutOf(transcript: string): string {
  return transcript.slice(transcript.indexOf('--- stdout\n') + 11, transcript.indexOf('--- stderr\n'));
}

describe('diff-output.schema.json', () => {
  it.each(readdirSync(CASES_DIR).sort())('accepts the JSON output of case %s', (name) => {
    const output: unknown = JSON.parse(stdoutOf(readFileSync(join(CASES_DIR, name, 'expected.json'), 'utf8')));
    expect(validate(output), JSON.stringify(validate.errors)).toBe(true);
  });

  it('lists exactly the consequence kinds the code produces', () => {
    expect(schema.definitions.consequence.properties.kind.enum).toEqual([...CONSEQUENCE_KINDS]);
  });
});

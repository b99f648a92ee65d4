import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configJsonSchema, policyReferenceMarkdown } from '../../src/config-reference.ts';

it('docs/config.schema.json and the table in docs/policy.md match the field table (npm run docs)', () => {
  const schema = JSON.parse(readFileSync(new URL('../../../../docs/config.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(schema, configJsonSchema());
  const doc = readFileSync(new URL('../../../../docs/policy.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(policyReferenceMarkdown()), 'docs/policy.md is stale: run npm run docs');
});

// `npm run docs`: writes docs/config.schema.json and the reference table in docs/policy.md from the
// policy field table; packages/server/test/server/config-reference.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema, policyReferenceMarkdown } from '../packages/server/src/config-reference.ts';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('docs/config.schema.json', root), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
const policyPath = new URL('docs/policy.md', root);
const doc = readFileSync(policyPath, 'utf8');
const start = doc.indexOf('<!-- reference:start -->');
const end = doc.indexOf('<!-- reference:end -->');
writeFileSync(policyPath, `${doc.slice(0, start + '<!-- reference:start -->'.length)}\n${policyReferenceMarkdown()}\n${doc.slice(end)}`);

#!/usr/bin/env node
// The published package runs the compiled CLI. A source checkout without a build runs it through tsx,
// with `tenure/…` resolved to the library's sources (the "source" export condition, docs/architecture.md);
// workers of `--workers N` run this file again and set up the same.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const sourceCondition = 'export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "source"] }); }';
  register(`data:text/javascript,${encodeURIComponent(sourceCondition)}`);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}

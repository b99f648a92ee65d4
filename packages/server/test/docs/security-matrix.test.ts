import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const MATRIX = readFileSync(new URL('../../../../docs/security.md', import.meta.url), 'utf8');
const ROOT = new URL('../../../../', import.meta.url);

/** ASVS 5.0 requirements docs/security.md must answer, each with at least one test. */
const REQUIRED = [
  ...['7.1.1', '7.1.2', '7.1.3', '7.2.1', '7.2.2', '7.2.3', '7.2.4', '7.3.1', '7.3.2'],
  ...['7.4.1', '7.4.2', '7.4.3', '7.4.4', '7.4.5', '7.5.1', '7.5.2', '7.5.3', '7.6.1', '7.6.2'],
  ...['3.3.1', '3.3.2', '3.3.3', '3.3.4', '3.3.5', '10.4.5', '10.4.8', '10.4.9'],
];

/** The matrix rows: requirement id and every `file` › `test name` its last column names. */
function rows(): Map<string, { file: string; name: string }[]> {
  const out = new Map<string, { file: string; name: string }[]>();
  for (const line of MATRIX.split('\n')) {
    const cells = line.split(' | ');
    const id = /^\| (\d+\.\d+\.\d+)$/.exec(cells[0] ?? '')?.[1];
    if (id === undefined) continue;
    const pinned = cells[cells.length - 1] ?? '';
    const tests = [...pinned.matchAll(/`([^`]+)` › `([^`]+)`/g)].map((m) => ({ file: m[1]!, name: m[2]! }));
    out.set(id, [...(out.get(id) ?? []), ...tests]);
  }
  return out;
}

/** Whether `file` declares a test or suite with exactly this name (quoted any of the three ways). */
function declares(source: string, name: string): boolean {
  return ["'", '"', '`'].some((q) => source.includes(`it(${q}${name}${q}`) || source.includes(`describe(${q}${name}${q}`));
}

describe('docs/security.md, the ASVS matrix', () => {
  it('has a row for every required ASVS 5.0 requirement, each naming at least one test', () => {
    const matrix = rows();
    assert.deepEqual(REQUIRED.filter((id) => (matrix.get(id) ?? []).length === 0), []);
  });

  it('names only tests that exist, in the files it names', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [id, tests] of rows()) {
      for (const { file, name } of tests) {
        const path = new URL(file, ROOT);
        checked += 1;
        if (!existsSync(path)) missing.push(`${id}: no file ${file}`);
        else if (!declares(readFileSync(path, 'utf8'), name)) missing.push(`${id}: no test "${name}" in ${file}`);
      }
    }
    assert.ok(checked >= REQUIRED.length);
    assert.deepEqual(missing, []);
  });
});

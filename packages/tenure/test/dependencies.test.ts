import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, it } from 'node:test';

/**
 * What an application installs with `tenure` stays small: at most this many packages come with it
 * (the measured figures and the install check, `npm run check:install`, are in docs/architecture.md).
 */
const BUDGET = 10;
const DRIVERS = ['better-sqlite3', 'pg', 'ioredis'];

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface LockEntry extends Manifest {
  hasInstallScript?: boolean;
}

const read = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as T;
const manifest = read<Manifest>('../package.json');
const lock = read<{ packages: Record<string, LockEntry> }>('../../../package-lock.json').packages;

/** The lock's entry a package at `from` resolves `name` to: its own node_modules first, then each parent's. */
function resolveIn(from: string, name: string): string {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const key = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (lock[key] !== undefined) return key;
    if (dir === '') throw new Error(`${name} (needed by ${from || 'tenure'}) is not in package-lock.json`);
  }
}

/** Every package `tenure`'s dependencies bring, transitively, as lock keys. */
function installed(): Set<string> {
  const seen = new Set<string>();
  const visit = (from: string, names: string[]): void => {
    for (const name of names) {
      const key = resolveIn(from, name);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = lock[key]!;
      visit(key, [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]);
    }
  };
  visit('packages/tenure', Object.keys(manifest.dependencies ?? {}));
  return seen;
}

/** The packages a source file imports at run time (`import type` is erased; `node:` and built-ins excluded). */
function runtimeImports(source: string): string[] {
  const names: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\bfrom\s*)?['"]([^'".][^'"]*)['"]|\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g;
  for (const m of source.matchAll(pattern)) {
    if (m[1] !== undefined) continue;
    const spec = (m[2] ?? m[3])!;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    if (!spec.startsWith('node:') && !builtinModules.includes(name)) names.push(name);
  }
  return names;
}

describe("the library's dependencies", () => {
  it('declares the store drivers as optional peer dependencies, never as dependencies', () => {
    for (const driver of DRIVERS) {
      assert.equal(manifest.dependencies?.[driver], undefined, driver);
      assert.ok(manifest.peerDependencies?.[driver], driver);
      assert.equal(manifest.peerDependenciesMeta?.[driver]?.optional, true, driver);
    }
  });

  it(`brings at most ${BUDGET} packages into an application, none with an install script`, () => {
    const packages = installed();
    assert.ok(packages.size <= BUDGET, `tenure brings ${packages.size} packages: ${[...packages].join(', ')}`);
    assert.deepEqual([...packages].filter((key) => lock[key]!.hasInstallScript === true), []);
  });

  it('imports at run time only its dependencies, its optional peers and Node built-ins', () => {
    const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const stray: string[] = [];
    const root = new URL('../src/', import.meta.url);
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!/\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue;
      for (const name of runtimeImports(readFileSync(new URL(file, root), 'utf8'))) {
        if (!allowed.has(name)) stray.push(`${file}: ${name}`);
      }
    }
    assert.deepEqual(stray, []);
  });
});

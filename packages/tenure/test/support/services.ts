/**
 * Where the suites that need real services find them. Outside CI a missing URL skips the suite with a
 * one-line reason; in CI (`CI=true`) it fails, so a green CI always ran them.
 */
export function serviceUrl(variable: 'TENURE_TEST_POSTGRES_URL' | 'TENURE_TEST_REDIS_URL'): { url: string | null; skip: string | false } {
  const url = process.env[variable];
  if (url !== undefined && url !== '') return { url, skip: false };
  if (process.env['CI'] === 'true') throw new Error(`${variable} must be set in CI (bash .ci/run sets it)`);
  return { url: null, skip: `${variable} is not set` };
}

import { TenureError, type ConfigIssue } from '../../core/errors.ts';

/**
 * Turns validation issues into one `400 invalid_request` naming each field, value and rule.
 * @throws TenureError `invalid_request` when there is any issue.
 */
export function failOnIssues(issues: readonly ConfigIssue[]): void {
  if (issues.length === 0) return;
  const message = issues.map((i) => `${i.key} = ${JSON.stringify(i.value) ?? 'null'} ${i.rule}`).join('; ');
  throw new TenureError('invalid_request', message);
}

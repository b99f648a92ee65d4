import { describeIssue, TenureError, type ConfigIssue } from 'tenure/core/errors';

/**
 * Turns validation issues into one `400 invalid_request` naming each field, value and rule (the value
 * as `describeValue` shows it: never a secret, never a large or deep echo).
 * @throws TenureError `invalid_request` when there is any issue.
 */
export function failOnIssues(issues: readonly ConfigIssue[]): void {
  if (issues.length === 0) return;
  throw new TenureError('invalid_request', issues.map(describeIssue).join('; '));
}

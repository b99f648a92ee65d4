import { describeError, errorLogFields, type ErrorAnswer } from 'tenure/http/error-answer';
import type { ServerDeps } from './context.ts';

/** A logger's error method, as Fastify's (pino) logger has it. */
interface ErrorLog {
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * The service's answer to an error, for the router's error handler and the forward-auth fast path
 * alike: the layer's error answer (`describeError`), a store error counted, a 5xx logged without
 * the request or a credential.
 */
export function serviceErrorAnswer(deps: Pick<ServerDeps, 'metrics'>, log: ErrorLog | undefined, error: Error): ErrorAnswer {
  const answer = describeError(error);
  if (answer.status === 503) deps.metrics.storeErrors.inc();
  if (answer.status >= 500) log?.error(errorLogFields(error), 'request failed');
  return answer;
}

import type { FastifyInstance } from 'fastify';
import { optionalString } from '../authenticate.ts';
import type { ServerConfig } from '../config.ts';
import type { ServerDeps } from '../context.ts';

/** The names of the configured OpenID Connect providers (`oidc.providers` in the config file), in the order written. */
export function loginProviderNames(config: ServerConfig): string[] {
  return config.federation.oidc.providers.map((provider) => provider.name);
}

/**
 * `GET /auth/login-options?org=`: public, so a sign-in page offers only what the policy allows.
 * An unknown organization answers the environment's options, as a login to it would be refused anyway:
 * the answer never tells whether an organization exists.
 */
export function loginOptionsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get(
    '/auth/login-options',
    {
      schema: {
        summary: 'What a sign-in page may offer under the policy (public, no credential).',
        tags: ['auth'],
        querystring: { type: 'object', properties: { org: { type: 'string' } } },
      },
    },
    async (request) => {
      const org = optionalString((request.query as Record<string, unknown>)['org'], 'org');
      const policy = await deps.policies.policyFor(org);
      return { remember: policy.remember, providers: loginProviderNames(deps.config) };
    },
  );
}

import type { FastifyRequest } from 'fastify';

export const PAGE_QUERY = {
  type: 'object',
  properties: { cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
} as const;
export const ID_PARAMS = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
export const ORG_PARAMS = { type: 'object', properties: { org_code: { type: 'string' } }, required: ['org_code'] } as const;

export function pageOf(request: FastifyRequest): { cursor: string | null; limit: number } {
  const query = request.query as { cursor?: string; limit?: number };
  return { cursor: query.cursor ?? null, limit: query.limit ?? 100 };
}

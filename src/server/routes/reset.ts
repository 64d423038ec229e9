import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { IdentityCache } from '../auth/identities.js';
import { errors } from '../../errors/catalogue.js';
import { errorResponses, EXTENSION, withExamples } from '../openapi.js';

const ResetResponseSchema = Type.Object({
  status: Type.Literal('reset'),
  restored: Type.Record(Type.String(), Type.Integer(), { description: 'Rows restored per table.' }),
});

/**
 * `POST /_poolkeeper/v1/reset`: back to the state the service had once it started (bootstrap and seed), in one
 * transaction and without a restart. Only a service started with --ephemeral or --seed has such a state; on any
 * other this answers 409, so a production store can never be wiped by it.
 */
export function resetRoutes(reset: (() => Promise<Record<string, number>>) | undefined, identities: IdentityCache): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/_poolkeeper/v1/reset',
      {
        config: { operation: 'ResetStore', operator: true },
        schema: {
          operationId: 'ResetStore',
          tags: ['Simulation'],
          ...EXTENSION,
          summary: 'Reset the store to its seed',
          description:
            'Operator-account administrators only, on a service started with --ephemeral or --seed: restores the store to its ' +
            'seeded state (identities, keys, pools, nodes, tags, operation records, fault rules) in one transaction.',
          response: {
            200: withExamples(ResetResponseSchema, [{ status: 'reset', restored: { accounts: 1, projects: 1, users: 1, pools: 1, nodes: 8 } }], {
              description: 'The store is back to its seeded state; rows restored per table.',
            }),
            ...errorResponses({
              403: [errors.notOperator()],
              409: [errors.conflict('reset is only available on a service started with --ephemeral or --seed')],
            }),
          },
        },
      },
      async () => {
        if (!reset) throw errors.conflict('reset is only available on a service started with --ephemeral or --seed');
        const restored = await reset();
        identities.clear();
        return { status: 'reset' as const, restored };
      },
    );
  };
}

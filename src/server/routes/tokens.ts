import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorSchema } from '../../schemas/common.js';
import { TokenRequestSchema, TokenResponseSchema } from '../../schemas/iam.js';
import type { IamService } from '../../service/iam.js';
import { rejectInvalidJson } from '../body.js';

/** `POST /v3/auth/tokens`: the login; it authenticates by password, so it sits outside the auth hook. */
export function tokenRoutes(iam: IamService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v3/auth/tokens',
      {
        config: { operation: 'KeystoneCreateUserTokenByPassword' },
        // No authentication runs first here, so a body that is not one JSON value is refused before validation.
        preValidation: async (request) => rejectInvalidJson(request.body),
        schema: {
          operationId: 'KeystoneCreateUserTokenByPassword',
          tags: ['IAM'],
          description: 'IAM password method scoped to a project (by id or name). The token is in the X-Subject-Token header; it lasts 24 h.',
          security: [],
          body: TokenRequestSchema,
          response: { 201: TokenResponseSchema, 400: ErrorSchema, 401: ErrorSchema },
        },
      },
      async (request, reply) => {
        const issued = await iam.issueToken(request.body);
        return reply.code(201).header('X-Subject-Token', issued.token).send(issued.body);
      },
    );
  };
}

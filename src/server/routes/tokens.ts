import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EXAMPLE_ACCOUNT_ID, EXAMPLE_PROJECT_ID, EXAMPLE_USER_ID } from '../../schemas/example-ids.js';
import { TokenRequestSchema, TokenResponseSchema, type TokenRequest } from '../../schemas/iam.js';
import type { IamService } from '../../service/iam.js';
import { rejectInvalidJson } from '../body.js';
import { errors } from '../../errors/catalogue.js';
import { errorResponses, withExamples } from '../openapi.js';

const requestExample: TokenRequest = {
  auth: {
    identity: { methods: ['password'], password: { user: { name: 'viewer', password: 'viewer-password', domain: { name: 'poolkeeper' } } } },
    scope: { project: { name: 'local-1' } },
  },
};
const domain = { id: EXAMPLE_ACCOUNT_ID, name: 'poolkeeper' };
const responseExample = {
  token: {
    methods: ['password'],
    issued_at: '2026-12-03T14:09:07.047000Z',
    expires_at: '2026-12-04T14:09:07.047000Z',
    user: { id: EXAMPLE_USER_ID, name: 'viewer', domain },
    project: { id: EXAMPLE_PROJECT_ID, name: 'local-1', domain },
    roles: [],
    catalog: [],
  },
};

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
          tags: ['Identity'],
          summary: 'Get a token with a password',
          description:
            'IAM password method scoped to a project (by id or name) of the user’s account (domain). The token is in the X-Subject-Token header; ' +
            'send it as X-Auth-Token. It lasts 24 hours.',
          security: [],
          body: withExamples(TokenRequestSchema, [requestExample]),
          response: {
            201: withExamples(TokenResponseSchema, [responseExample], {
              description: 'The token’s scope and lifetime; the token itself is the X-Subject-Token header.',
              headers: { 'X-Subject-Token': { type: 'string', description: 'The token (a JWT) to send as X-Auth-Token.' } },
            }),
            ...errorResponses({ 400: [errors.badRequest('auth.identity.password.user.name is required')], 401: [errors.wrongPassword()] }),
          },
        },
      },
      async (request, reply) => {
        const issued = await iam.issueToken(request.body);
        return reply.code(201).header('X-Subject-Token', issued.token).send(issued.body);
      },
    );
  };
}

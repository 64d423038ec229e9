import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../schemas/common.js';
import {
  AccessKeyParams,
  AccountSchema,
  CreateAccountBodySchema,
  AccessKeySummarySchema,
  AttachPolicyBodySchema,
  CreateAccessKeyBodySchema,
  CreateProjectBodySchema,
  CreateUserBodySchema,
  NewAccessKeySchema,
  ProjectSchema,
  SetPasswordBodySchema,
  UserParams,
  UserPolicyParams,
  UserProjectParams,
  UserSchema,
} from '../../schemas/iam.js';
import { renderAccount, renderProject, renderUser, type IamService } from '../../service/iam.js';
import { callerOf } from './caller.js';

const TAG = 'poolkeeper IAM';
const BASE = '/_poolkeeper/v1/iam';

/** Account administration over HTTP: an account administrator manages its own account, never another. */
export function iamRoutes(iam: IamService): FastifyPluginAsyncTypebox {
  const admin = (operation: string) => ({ operation, accountAdmin: true });
  return async (app) => {
    app.get(
      `${BASE}/accounts`,
      { config: { operation: 'ListAccounts', operator: true }, schema: { operationId: 'ListAccounts', tags: [TAG], response: { 200: Type.Object({ accounts: Type.Array(AccountSchema) }), ...errorResponses } } },
      async () => ({ accounts: (await iam.listAccounts()).map(renderAccount) }),
    );

    app.post(
      `${BASE}/accounts`,
      {
        config: { operation: 'CreateAccount', operator: true },
        schema: {
          operationId: 'CreateAccount',
          tags: [TAG],
          description: 'Operator account administrators only: a new account (domain) with its first account administrator.',
          body: CreateAccountBodySchema,
          response: { 201: Type.Object({ account: AccountSchema, admin: UserSchema }), ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await iam.createAccountWithAdmin(request.body.name, request.body.admin)),
    );

    app.get(`${BASE}/projects`, { config: admin('ListProjects'), schema: { operationId: 'ListProjects', tags: [TAG], response: { 200: Type.Object({ projects: Type.Array(ProjectSchema) }), ...errorResponses } } }, async (request) => ({
      projects: (await iam.listProjects(callerOf(request).accountId)).map(renderProject),
    }));

    app.post(
      `${BASE}/projects`,
      { config: admin('CreateProject'), schema: { operationId: 'CreateProject', tags: [TAG], body: CreateProjectBodySchema, response: { 201: ProjectSchema, ...errorResponses } } },
      async (request, reply) => reply.code(201).send(renderProject(await iam.createProject(callerOf(request).accountId, request.body.name))),
    );

    app.get(`${BASE}/users`, { config: admin('ListUsers'), schema: { operationId: 'ListUsers', tags: [TAG], response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...errorResponses } } }, async (request) => ({
      users: (await iam.listUsers(callerOf(request).accountId)).map(renderUser),
    }));

    app.post(
      `${BASE}/users`,
      { config: admin('CreateUser'), schema: { operationId: 'CreateUser', tags: [TAG], body: CreateUserBodySchema, response: { 201: UserSchema, ...errorResponses } } },
      async (request, reply) => reply.code(201).send(renderUser(await iam.createUser(callerOf(request).accountId, request.body))),
    );

    app.put(
      `${BASE}/users/:user_name/password`,
      { config: admin('SetUserPassword'), schema: { operationId: 'SetUserPassword', tags: [TAG], params: UserParams, body: SetPasswordBodySchema, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await iam.setPassword(callerOf(request).accountId, request.params.user_name, request.body.password);
        return reply.code(204).send(null);
      },
    );

    app.put(
      `${BASE}/users/:user_name/projects/:project`,
      { config: admin('AddUserToProject'), schema: { operationId: 'AddUserToProject', tags: [TAG], params: UserProjectParams, response: { 200: UserSchema, ...errorResponses } } },
      async (request) => renderUser(await iam.setMembership(callerOf(request).accountId, request.params.user_name, request.params.project, true)),
    );

    app.delete(
      `${BASE}/users/:user_name/projects/:project`,
      { config: admin('RemoveUserFromProject'), schema: { operationId: 'RemoveUserFromProject', tags: [TAG], params: UserProjectParams, response: { 200: UserSchema, ...errorResponses } } },
      async (request) => renderUser(await iam.setMembership(callerOf(request).accountId, request.params.user_name, request.params.project, false)),
    );

    app.get(
      `${BASE}/users/:user_name/access-keys`,
      { config: admin('ListAccessKeys'), schema: { operationId: 'ListAccessKeys', tags: [TAG], params: UserParams, response: { 200: Type.Object({ accessKeys: Type.Array(AccessKeySummarySchema) }), ...errorResponses } } },
      async (request) => ({ accessKeys: await iam.listAccessKeys(callerOf(request).accountId, request.params.user_name) }),
    );

    app.post(
      `${BASE}/users/:user_name/access-keys`,
      {
        config: admin('CreateAccessKey'),
        schema: { operationId: 'CreateAccessKey', tags: [TAG], params: UserParams, body: Type.Optional(CreateAccessKeyBodySchema), response: { 201: NewAccessKeySchema, ...errorResponses } },
      },
      async (request, reply) =>
        reply.code(201).send(await iam.createAccessKey(callerOf(request).accountId, request.params.user_name, request.body?.temporary?.durationSeconds)),
    );

    app.delete(
      `${BASE}/access-keys/:access_key`,
      { config: admin('DeleteAccessKey'), schema: { operationId: 'DeleteAccessKey', tags: [TAG], params: AccessKeyParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await iam.deleteAccessKey(callerOf(request).accountId, request.params.access_key);
        return reply.code(204).send(null);
      },
    );

    app.put(
      `${BASE}/users/:user_name/policies/:policy_name`,
      { config: admin('AttachPolicy'), schema: { operationId: 'AttachPolicy', tags: [TAG], params: UserPolicyParams, body: Type.Optional(AttachPolicyBodySchema), response: { 200: UserSchema, ...errorResponses } } },
      async (request) =>
        renderUser(await iam.attachPolicy(callerOf(request).accountId, request.params.user_name, request.params.policy_name, request.body?.document)),
    );

    app.delete(
      `${BASE}/users/:user_name/policies/:policy_name`,
      { config: admin('DetachPolicy'), schema: { operationId: 'DetachPolicy', tags: [TAG], params: UserPolicyParams, response: { 200: UserSchema, ...errorResponses } } },
      async (request) => renderUser(await iam.detachPolicy(callerOf(request).accountId, request.params.user_name, request.params.policy_name)),
    );
  };
}

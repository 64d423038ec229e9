import type { FastifyRequest } from 'fastify';
import type { Caller } from '../../service/context.js';
import { errors } from '../../errors/catalogue.js';

/** The authenticated caller; protected routes always have one (the auth hook ran first). */
export function callerOf(request: FastifyRequest): Caller {
  const principal = request.principal;
  if (!principal) throw errors.internal();
  return { accountId: principal.accountId, display: `${principal.userName}@${principal.accountName}` };
}

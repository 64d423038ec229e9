import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { errors } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: the signature covers these bytes. */
    rawBody?: Buffer;
  }
}

/** Marks a body that is not JSON; answered with 400 only after authentication, so anonymous callers learn nothing. */
export const INVALID_JSON = Symbol('invalid-json');

/** JSON bodies (plain and merge-patch), of every method, are kept as raw bytes and parsed without prototype pollution. */
export function registerJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  // Fastify leaves a GET's body unread; a client may send (and sign) one, and the signature covers those bytes.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    // SDKs send Content-Type: application/json on bodiless calls too; an empty body reads as an empty object.
    if (raw.length === 0) return done(null, {});
    try {
      done(null, secureJson.parse(raw, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(null, INVALID_JSON);
    }
  });
}

export function rejectInvalidJson(body: unknown): void {
  if (body === INVALID_JSON) throw errors.badRequest('the request body is not valid JSON');
}

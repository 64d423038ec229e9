import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { findDuplicateKey } from './duplicate-keys.js';
import { errors } from '../errors/catalogue.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: the signature covers these bytes. */
    rawBody?: Buffer;
  }
}

/** A body that cannot be read as one JSON value; answered with 400 only after authentication, so anonymous callers learn nothing. */
class UnreadableBody {
  constructor(readonly detail: string) {}
}

/** JSON bodies (plain and merge-patch), of every method, are kept as raw bytes and parsed without prototype pollution or duplicate keys. */
export function registerJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  // Fastify leaves a GET's body unread; a client may send (and sign) one, and the signature covers those bytes.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    const charset = charsetOf(request.headers['content-type'] ?? '');
    if (charset !== undefined && charset !== 'utf-8') return done(errors.unsupportedContentType('JSON bodies must be UTF-8 (charset=utf-8)'));
    // SDKs send Content-Type: application/json on bodiless calls too; an empty body reads as an empty object.
    if (raw.length === 0) return done(null, {});
    const text = raw.toString('utf8');
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(null, new UnreadableBody('the request body is not valid JSON'));
    }
    const duplicate = findDuplicateKey(text);
    done(null, duplicate === undefined ? parsed : new UnreadableBody(`${duplicate}: the key appears more than once in its object`));
  });
}

/** The `charset` parameter of a Content-Type header, unquoted and lowercased. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const eq = parameter.indexOf('=');
    if (eq !== -1 && parameter.slice(0, eq).trim().toLowerCase() === 'charset') {
      return parameter.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    }
  }
  return undefined;
}

export function rejectInvalidJson(body: unknown): void {
  if (body instanceof UnreadableBody) throw errors.badRequest(body.detail);
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors/catalogue.js';

const NUL = '\u0000';
/** How JSON text spells U+0000 (a raw NUL is not valid JSON). */
const ESCAPED_NUL = Buffer.from('\\u0000');

/**
 * No field of the API means U+0000, and PostgreSQL text cannot store it (a query carrying it fails), so it is refused
 * wherever it appears: path parameters, query values, and the body's keys and strings. 400 naming the field, after
 * authentication and schema validation (a `preHandler`), like every other input error.
 */
export function registerNulGuard(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and an async hook costs Fastify a promise and a turn.
  app.addHook('preHandler', (request, _reply, done) => {
    const where = request.is404 ? undefined : nulIn(request);
    done(where === undefined ? undefined : errors.badRequest(`${where}: must not contain the character U+0000`));
  });
}

function nulInValues(context: string, values: unknown): string | undefined {
  if (values === null || typeof values !== 'object') return undefined;
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    if (name.includes(NUL) || (Array.isArray(value) ? value.some(hasNul) : hasNul(value))) return `${context}.${name}`;
  }
  return undefined;
}

function hasNul(value: unknown): boolean {
  return typeof value === 'string' && value.includes(NUL);
}

function nulIn(request: FastifyRequest): string | undefined {
  const where = nulInValues('params', request.params) ?? nulInValues('querystring', request.query);
  if (where !== undefined) return where;
  // Walk the parsed body only when its text has the escape: never on ordinary requests.
  if (request.rawBody?.includes(ESCAPED_NUL)) return pathOfNul(request.body);
  return undefined;
}

/** The field path of the first key or string holding U+0000, walked without recursion (bodies may nest deeply). */
function pathOfNul(body: unknown): string | undefined {
  const pending: Array<[value: unknown, path: string]> = [[body, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path || 'body';
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push([item, `${path}[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const field = path ? `${path}.${key}` : key;
        if (key.includes(NUL)) return field;
        pending.push([item, field]);
      }
    }
  }
  return undefined;
}

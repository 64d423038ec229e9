import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { stringify } from 'yaml';
import { EXTENSION, withExamples } from '../openapi.js';

/** The browser pages' strict policy: only our own scripts, styles and API; no inline script, no framing. */
const WEB_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where `npm run build` puts the web pages (Vite): <package root>/dist/web, found from this file in src/ or dist/src/. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return join(dir, 'dist', 'web');
}

/** The pages Vite builds (web/<dir>/index.html, one entry each in web/vite.config.ts). */
const WEB_PAGES = [
  {
    path: '/explorer',
    dir: 'explorer',
    operationId: 'ApiExplorer',
    title: 'API Explorer',
    description: 'Try every operation in a browser: sign in, fill a form built from this document, send, and copy SDK sample code.',
  },
  {
    path: '/console',
    dir: 'console',
    operationId: 'WebConsole',
    title: 'web console',
    description: 'Pools and nodes in a browser: pool capacity at a glance, a node table with filters and multi-select, batch actions with per-node results.',
  },
] as const;

export interface DocsOptions {
  /** The OpenAPI document (built once the routes are registered). */
  document: () => unknown;
  /** Readable without credentials: the operations say `security: []`. */
  public: boolean;
  webRoot: string;
}

/**
 * GET /openapi.json, /openapi.yaml, the API Explorer at /explorer (and / redirecting there), the web console at /console, with their hashed assets
 * under /web/assets/. Registered outside the auth hook when the docs are public, inside it otherwise.
 */
export function docsRoutes(options: DocsOptions): FastifyPluginAsync {
  const security = options.public ? { security: [] } : {};
  const service = { tags: ['Service'], ...EXTENSION, ...security };
  return async (app) => {
    let json: string | undefined;
    let yaml: string | undefined;
    const documentJson = () => (json ??= JSON.stringify(options.document()));

    app.get(
      '/openapi.json',
      {
        config: { operation: 'GetOpenApiJson' },
        schema: {
          operationId: 'GetOpenApiJson',
          ...service,
          summary: 'This document (JSON)',
          description: 'The OpenAPI 3.0 document, generated from the schemas the routes validate with.',
          response: { 200: withExamples(Type.Object({}, { additionalProperties: true }), [{ openapi: '3.0.3', info: { title: 'poolkeeper', version: '0.1.0' }, paths: {} }], { description: 'The document.' }) },
        },
      },
      async (_request, reply) => reply.header('Cache-Control', 'no-cache').type('application/json; charset=utf-8').send(documentJson()),
    );

    app.get(
      '/openapi.yaml',
      {
        config: { operation: 'GetOpenApiYaml' },
        schema: {
          operationId: 'GetOpenApiYaml',
          ...service,
          summary: 'This document (YAML)',
          description: 'The same OpenAPI document as /openapi.json, in YAML.',
          produces: ['application/yaml'],
          response: { 200: withExamples(Type.String(), ["openapi: 3.0.3\ninfo:\n  title: poolkeeper\n  version: 0.1.0\npaths: {}\n"], { description: 'The document.' }) },
        },
      },
      async (_request, reply) => {
        yaml ??= stringify(JSON.parse(documentJson()), { aliasDuplicateObjects: false });
        return reply.header('Cache-Control', 'no-cache').type('application/yaml; charset=utf-8').send(yaml);
      },
    );

    if (existsSync(join(options.webRoot, 'assets'))) {
      await app.register(fastifyStatic, {
        root: join(options.webRoot, 'assets'),
        prefix: '/web/assets/',
        index: false,
        cacheControl: false,
        // File names carry a content hash: a changed file is a new URL.
        setHeaders: (reply) => reply.headers({ 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' }),
      });
    }

    for (const page of WEB_PAGES) {
      const file = join(options.webRoot, page.dir, 'index.html');
      const html = existsSync(file) ? readFileSync(file) : undefined;
      const notBuilt = `The ${page.title} is not built: run \`npm run build\`.\n`;
      app.get(
        page.path,
        {
          config: { operation: page.operationId },
          schema: {
            operationId: page.operationId,
            ...service,
            summary: `${page.title} (web page)`,
            description: page.description,
            produces: ['text/html'],
            response: {
              200: withExamples(Type.String(), ['<!doctype html><html lang="en">…</html>'], { description: 'The page.' }),
              503: withExamples(Type.String(), [notBuilt], { description: 'The page was not built.' }),
            },
          },
        },
        async (request, reply) => {
          if (html === undefined) {
            request.log.warn({ page: file }, `the ${page.title} is not built`);
            return reply.code(503).type('text/plain; charset=utf-8').send(notBuilt);
          }
          return reply
            .headers({
              'Cache-Control': 'no-cache',
              'Content-Security-Policy': WEB_CONTENT_SECURITY_POLICY,
              'X-Content-Type-Options': 'nosniff',
              'Referrer-Policy': 'no-referrer',
              'Cross-Origin-Opener-Policy': 'same-origin',
            })
            .type('text/html; charset=utf-8')
            .send(html);
        },
      );
    }

    app.get('/', { config: { operation: 'Root' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/explorer', 302));
  };
}

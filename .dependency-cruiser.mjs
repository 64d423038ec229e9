// @ts-check
import { builtinModules } from 'node:module';

/** Node.js's own modules, as dependency-cruiser names them (`crypto`, `node:crypto`). */
const NODE_MODULES = `^(node:)?(${builtinModules.join('|')})$`;

/**
 * The layering rules of src/ and web/, checked by `npm run lint:deps` (dependency-cruiser) in .ci/run. ARCHITECTURE.md
 * ("Layers") draws them. A rule here is a decision about who may know whom: change it there and here together.
 * Type-only imports count (`tsPreCompilationDeps`): a layer that names another's types depends on it too.
 *
 * There is no baseline of tolerated violations: every rule holds for the whole tree.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports has no bottom: neither side can be read, tested or moved without the other.',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-schemas-and-errors',
      comment:
        'The domain is pure rules over the request types: it may read the schemas (the single source of those types) ' +
        'and the error catalogue, nothing that does I/O (store, server, services) and nothing above it.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain|schemas|errors)/' },
    },
    {
      name: 'schemas-import-only-schemas',
      comment:
        'The schemas are the single source of request and answer types, so everything else may import them: they ' +
        'import nothing of the domain, the store, the server or the services (the vocabulary they share with the ' +
        'domain, e.g. node phases, lives in the schemas).',
      severity: 'error',
      from: { path: '^src/schemas/' },
      to: { path: '^src/', pathNot: '^src/schemas/' },
    },
    {
      name: 'errors-import-nothing',
      comment: 'The error catalogue is the bottom layer every other one throws from: it depends on nothing of src/.',
      severity: 'error',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: '^src/errors/' },
    },
    {
      name: 'signing-is-pure',
      comment:
        'AK/SK signing runs in the browser too (the API Explorer and the console bundle it): it imports nothing else of ' +
        'src/, and only node-crypto.ts (the Node.js digests; the browser brings Web Crypto) uses Node.js modules.',
      severity: 'error',
      from: { path: '^src/signing/' },
      to: { path: '^src/', pathNot: '^src/signing/' },
    },
    {
      name: 'signing-uses-no-node-modules',
      comment: 'See signing-is-pure: the browser bundles every signing file but node-crypto.ts.',
      severity: 'error',
      from: { path: '^src/signing/', pathNot: '^src/signing/node-crypto\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'store-not-above-it',
      comment:
        'The store stores: the services call it, never the other way round, and it knows nothing of HTTP or the CLI. ' +
        'What it needs from above (the planners it runs under row locks) comes from the domain.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(service|server|cli)/' },
    },
    {
      name: 'service-not-server-or-cli',
      comment:
        'Services hold the use cases for every caller (HTTP routes, the CLI admin commands, the seed): they throw ' +
        'from the error catalogue and return domain values; the server renders them. Importing server/ would tie ' +
        'every caller to Fastify and the wire format.',
      severity: 'error',
      from: { path: '^src/service/' },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'security-not-store',
      comment:
        'Secrets, passwords and tokens are mechanisms; where their data lives is a port they declare (e.g. the ' +
        'signing-key source of tokens.ts) that the store happens to satisfy. So they test without a database.',
      severity: 'error',
      from: { path: '^src/security/' },
      to: { path: '^src/(store|service|server|cli)/' },
    },
    {
      name: 'config-not-store',
      comment: 'Configuration is read before anything opens: it names settings (their types included) and opens nothing.',
      severity: 'error',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/(store|service|server|simulation|cli)/' },
    },
    {
      name: 'only-serve-chooses-the-node-backend',
      comment:
        'The simulation is one node backend behind the services\' NodeBackend port: serve.ts chooses and wires it. A ' +
        'service, route or store file that imported it could not run with another backend (ARCHITECTURE.md: a real ' +
        'backend adds files and edits no service, store or route).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(simulation/|serve\\.ts$)' },
      to: { path: '^src/simulation/' },
    },
    {
      name: 'client-is-a-plain-http-client',
      comment:
        'The typed client (CLI, tests, benchmarks) speaks to a service over HTTP only: it shares the schemas and the ' +
        'signing rules, never the service’s insides.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/(client|schemas|signing)/' },
    },
    {
      name: 'cli-not-server-internals',
      comment:
        'The CLI talks to a service through client/ (or, for `admin`, to the database through the services). Only ' +
        'cli/serve.ts starts the service, through serve.ts; no command reaches into server/.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'only-cli-serve-starts-the-service',
      comment: 'See cli-not-server-internals.',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/serve\\.ts$' },
      to: { path: '^src/serve\\.ts$' },
    },
    {
      name: 'web-imports-only-pure-modules',
      comment:
        'The web pages run in the browser: of src/ they may bundle only what is pure and browser-safe (signing, the ' +
        'domain rules, the schemas, the error catalogue), never the server, the store, the services or the CLI.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/(signing|domain|schemas|errors)/' },
    },
    {
      name: 'web-reaches-no-node-modules',
      comment:
        'Node.js modules do not exist in the browser: nothing a page imports may lead, however indirectly, to one ' +
        '(src/signing/node-crypto.ts has a Web Crypto twin in web/lib/signer.ts).',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: NODE_MODULES, reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^web/vite\\.config\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

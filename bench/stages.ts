/**
 * Stage timers for `npm run bench -- --stages`, installed inside the poolkeeper child process only: they wrap
 * (at run time, without touching src/) every method of the store's aggregates, the callbacks passed to them (the batch planner),
 * SecretBox.open, IdentityCache.get, better-sqlite3's prepare and statement execution, and on PostgreSQL `pg`'s
 * pool checkout and each query (from the call to its result, by SQL text), and time each HTTP request from arrival
 * to the end of the answer. Wall-clock times: nested stages overlap their parents.
 */
import type { Server } from 'node:http';
import Database from 'better-sqlite3';
import pg from 'pg';
import { IdentityCache } from '../src/server/auth/identities.js';
import { SecretBox } from '../src/security/secrets.js';
import { SqlCredentialStore } from '../src/store/credentials.js';
import { SqlIdentityStore } from '../src/store/identity.js';
import { SqlJobStore } from '../src/store/jobs.js';
import { SqlNodeChangeStore } from '../src/store/node-changes.js';
import { SqlNodeStore } from '../src/store/nodes.js';
import { SqlOperationStore } from '../src/store/operations.js';
import { SqlPoolStore } from '../src/store/pools.js';

export interface StageTotals {
  /** stage name → [calls, total milliseconds] */
  stages: Record<string, [number, number]>;
  requests: number;
}

const totals = new Map<string, [number, number]>();
let requests = 0;

function record(stage: string, ms: number): void {
  const entry = totals.get(stage);
  if (entry) {
    entry[0]++;
    entry[1] += ms;
  } else {
    totals.set(stage, [1, ms]);
  }
}

function timed<F extends (...args: never[]) => unknown>(stage: string, fn: F, wrapCallbacks = false): F {
  return function (this: unknown, ...args: never[]) {
    if (wrapCallbacks) args = args.map((arg, i) => withTimedCallbacks(stage, arg, i)) as never[];
    const started = performance.now();
    const result = fn.apply(this, args);
    if (result instanceof Promise) {
      return result.finally(() => record(stage, performance.now() - started));
    }
    record(stage, performance.now() - started);
    return result;
  } as F;
}

/** A callback argument, or the callbacks among an object argument's own properties (a node change's `plan`), timed. */
function withTimedCallbacks(stage: string, arg: unknown, index: number): unknown {
  if (typeof arg === 'function') return timed(`${stage} › callback #${index}`, arg as (...a: never[]) => unknown);
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return arg;
  const entries = Object.entries(arg);
  if (!entries.some(([, value]) => typeof value === 'function')) return arg;
  return Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'function' ? timed(`${stage} › ${key}`, value as (...a: never[]) => unknown) : value]));
}

function wrapMethods(prototype: object, label: string, wrapCallbacks: boolean): void {
  const target = prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (name === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (!descriptor || typeof descriptor.value !== 'function') continue;
    target[name] = timed(`${label}.${name}`, descriptor.value as (...args: never[]) => unknown, wrapCallbacks);
  }
}

/** The SQL text as a short stage name: whitespace collapsed, JSON parameters and long lists elided. */
function sqlStage(kind: string, source: string): string {
  const text = source.replace(/\s+/g, ' ').trim();
  return `sql ${kind}: ${text.length > 110 ? `${text.slice(0, 107)}...` : text}`;
}

function wrapSqlite(): void {
  const prototype = Database.prototype as unknown as { prepare: (this: Database.Database, sql: string) => Database.Statement };
  const prepare = prototype.prepare;
  prototype.prepare = function (this: Database.Database, sql: string) {
    const started = performance.now();
    const statement = prepare.call(this, sql);
    record(sqlStage('prepare', sql), performance.now() - started);
    return statement;
  };
  const probe = new Database(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['all', 'get', 'run', 'iterate'] as const) {
    const original = statementPrototype[method] as (this: Database.Statement, ...args: unknown[]) => unknown;
    statementPrototype[method] = function (this: Database.Statement, ...args: unknown[]) {
      const started = performance.now();
      const result = original.apply(this, args);
      record(sqlStage('execute', this.source), performance.now() - started);
      return result;
    };
  }
}

/** `pg`: Pool.connect (waiting for a connection) and Client.query, promise style as Kysely calls them. */
function wrapPg(): void {
  const clientPrototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clientPrototype.query;
  clientPrototype.query = function (this: pg.Client, ...args: unknown[]) {
    const started = performance.now();
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      const config = args[0];
      const text = typeof config === 'string' ? config : String((config as { text?: unknown } | null)?.text ?? '?');
      return result.finally(() => record(sqlStage('pg query', text), performance.now() - started));
    }
    return result;
  };
  const poolPrototype = pg.Pool.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const connect = poolPrototype.connect;
  poolPrototype.connect = function (this: pg.Pool, ...args: unknown[]) {
    const started = performance.now();
    const result = connect.apply(this, args);
    if (result instanceof Promise) return result.finally(() => record('pg pool.connect (connection checkout)', performance.now() - started));
    return result;
  };
}

let installed = false;

export function installStageTimers(): void {
  if (installed) return;
  installed = true;
  wrapSqlite();
  wrapPg();
  for (const [aggregate, prototype] of [
    ['changes', SqlNodeChangeStore.prototype],
    ['credentials', SqlCredentialStore.prototype],
    ['identity', SqlIdentityStore.prototype],
    ['jobs', SqlJobStore.prototype],
    ['nodes', SqlNodeStore.prototype],
    ['operations', SqlOperationStore.prototype],
    ['pools', SqlPoolStore.prototype],
  ] as const) {
    wrapMethods(prototype, `store.${aggregate}`, true);
  }
  wrapMethods(SecretBox.prototype, 'secrets', false);
  wrapMethods(IdentityCache.prototype, 'identities', false);
}

/** Times every request of `server` from its arrival to the end of the answer. */
export function timeRequests(server: Server): void {
  server.on('request', (request, response) => {
    const started = performance.now();
    response.once('finish', () => {
      const path = (request.url ?? '').split('?', 1)[0]!;
      if (path.endsWith('/batch-update')) {
        requests++;
        record('http: batch-update request arrival → answer written', performance.now() - started);
      }
    });
  });
}

export function resetStages(): void {
  totals.clear();
  requests = 0;
}

export function stageTotals(): StageTotals {
  return { stages: Object.fromEntries(totals), requests };
}

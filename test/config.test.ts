import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('waits at most 10 s for a PostgreSQL connection unless told otherwise', () => {
    expect(loadConfig({}).databaseConnectTimeoutMs).toBe(10_000);
    expect(loadConfig({ POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS: '2500' }).databaseConnectTimeoutMs).toBe(2_500);
  });

  it('refuses a connect timeout that is not a whole number of milliseconds from 100 to 600,000, naming the variable', () => {
    for (const value of ['50', '600001', '1.5', 'soon']) {
      expect(() => loadConfig({ POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS: value })).toThrow(/POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS must be an integer from 100 to 600000/);
    }
  });

  it('limits how long a request and its headers may take to arrive and how long an idle connection stays open', () => {
    expect(loadConfig({}).http).toEqual({ requestTimeoutMs: 60_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 72_000 });
    expect(
      loadConfig({ POOLKEEPER_REQUEST_TIMEOUT_MS: '1500', POOLKEEPER_HEADERS_TIMEOUT_MS: '500', POOLKEEPER_KEEP_ALIVE_TIMEOUT_MS: '3000' }).http,
    ).toEqual({ requestTimeoutMs: 1_500, headersTimeoutMs: 500, keepAliveTimeoutMs: 3_000 });
    // A request limit below the default headers limit takes the headers limit down with it.
    expect(loadConfig({ POOLKEEPER_REQUEST_TIMEOUT_MS: '1000' }).http.headersTimeoutMs).toBe(1_000);
  });

  it('refuses a headers limit longer than the request limit, and limits that are not whole milliseconds from 100', () => {
    expect(() => loadConfig({ POOLKEEPER_REQUEST_TIMEOUT_MS: '1000', POOLKEEPER_HEADERS_TIMEOUT_MS: '2000' })).toThrow(
      /POOLKEEPER_HEADERS_TIMEOUT_MS \(2000\) must not exceed POOLKEEPER_REQUEST_TIMEOUT_MS \(1000\)/,
    );
    for (const name of ['POOLKEEPER_REQUEST_TIMEOUT_MS', 'POOLKEEPER_HEADERS_TIMEOUT_MS', 'POOLKEEPER_KEEP_ALIVE_TIMEOUT_MS']) {
      for (const value of ['0', '99', '1.5', 'never']) expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name} must be an integer from 100`));
    }
  });
});

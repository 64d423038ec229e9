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

describe('POOLKEEPER_PUBLIC_DOCS', () => {
  it('opens the OpenAPI document and the explorer by default; 0 closes them; anything else is refused', () => {
    expect(loadConfig({}).publicDocs).toBe(true);
    expect(loadConfig({ POOLKEEPER_PUBLIC_DOCS: '1' }).publicDocs).toBe(true);
    expect(loadConfig({ POOLKEEPER_PUBLIC_DOCS: '0' }).publicDocs).toBe(false);
    expect(loadConfig({ POOLKEEPER_PUBLIC_DOCS: 'false' }).publicDocs).toBe(false);
    expect(() => loadConfig({ POOLKEEPER_PUBLIC_DOCS: 'no' })).toThrow(/POOLKEEPER_PUBLIC_DOCS must be 1 or 0/);
  });
});

describe('POOLKEEPER_METRICS_TOKEN', () => {
  it('is absent unless set, and kept as given when it is 16 to 256 visible ASCII characters', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ POOLKEEPER_METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
    for (const token of ['0123456789abcdef', 'a'.repeat(256), 'Zm9vYmFy+/=~._-!#$%&*0123']) {
      expect(loadConfig({ POOLKEEPER_METRICS_TOKEN: token }).metricsToken).toBe(token);
    }
  });

  it('refuses a short, long or spaced token with a startup error that names the variable and never the value', () => {
    for (const token of ['0123456789abcde', 'b'.repeat(257), 'has a space in it ok', 'tab\there-0123456789', 'non-ascii-ééééééééé']) {
      let message = '';
      try {
        loadConfig({ POOLKEEPER_METRICS_TOKEN: token });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toMatch(/^POOLKEEPER_METRICS_TOKEN must be 16 to 256 visible ASCII characters, without spaces \(it has \d+\)/);
      expect(message).not.toContain(token);
    }
  });
});

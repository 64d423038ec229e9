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

import { describe, expect, it } from 'vitest';
import { planSignature } from '../../src/signing/request-signing.js';

const NOW = new Date(Date.UTC(2024, 2, 15, 10, 15, 30));
const url = new URL('http://127.0.0.1:9710/v2/p/pools');

describe('planSignature', () => {
  it('puts the six standard methods on the wire uppercased, as fetch does, and any other method as given', () => {
    for (const method of ['delete', 'get', 'head', 'options', 'post', 'put']) {
      expect(planSignature({ method, url, headers: {} }, undefined, NOW).method).toBe(method.toUpperCase());
    }
    expect(planSignature({ method: 'patch', url, headers: {} }, undefined, NOW).method).toBe('patch');
    expect(planSignature({ method: 'PATCH', url, headers: {} }, undefined, NOW).method).toBe('PATCH');
  });

  it('signs a security token only when there is one', () => {
    const withToken = planSignature({ method: 'GET', url, headers: {} }, 'session-token', NOW);
    expect(withToken.headers.get('x-security-token')).toEqual(['X-Security-Token', 'session-token']);
    expect(withToken.signedHeaders).toBe('host;x-sdk-date;x-security-token');
    for (const none of [undefined, '']) {
      const plan = planSignature({ method: 'GET', url, headers: {} }, none, NOW);
      expect(plan.headers.has('x-security-token')).toBe(false);
      expect(plan.signedHeaders).toBe('host;x-sdk-date');
    }
  });

  it('reads the date of a given X-Sdk-Date header without its surrounding spaces', () => {
    const plan = planSignature({ method: 'GET', url, headers: { 'X-Sdk-Date': ' 20240101T000000Z ' } }, undefined, NOW);
    expect(plan.sdkDate).toBe('20240101T000000Z');
    expect(planSignature({ method: 'GET', url, headers: {} }, undefined, NOW).sdkDate).toBe('20240315T101530Z');
  });

  it('takes a non-empty X-Sdk-Content-Sha256 as the payload hash, and nothing otherwise', () => {
    expect(planSignature({ method: 'GET', url, headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' } }, undefined, NOW).payloadHashOverride).toBe('UNSIGNED-PAYLOAD');
    expect(planSignature({ method: 'GET', url, headers: { 'X-Sdk-Content-Sha256': '' } }, undefined, NOW).payloadHashOverride).toBeUndefined();
    expect(planSignature({ method: 'GET', url, headers: {} }, undefined, NOW).payloadHashOverride).toBeUndefined();
  });
});

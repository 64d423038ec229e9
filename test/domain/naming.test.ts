import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_PREFIX, newAccessKeyPair, newHexId, newNodeName, poolName } from '../../src/domain/naming.js';

/** A set of taken names that reports the first `busy` names it is asked about as taken, and records every question. */
class BusySet extends Set<string> {
  readonly asked: string[] = [];
  constructor(private readonly busy: number) {
    super();
  }
  override has(name: string): boolean {
    this.asked.push(name);
    return this.asked.length <= this.busy || super.has(name);
  }
}

describe('newNodeName', () => {
  it('is <prefix>-<5 lowercase letters or digits>, added to the taken names', () => {
    const taken = new Set<string>();
    const names = Array.from({ length: 200 }, () => newNodeName(DEFAULT_NODE_PREFIX, taken));
    for (const name of names) expect(name).toMatch(/^os-node-created-[a-z0-9]{5}$/);
    expect(taken).toEqual(new Set(names));
    expect(taken.size).toBe(200);
    // the suffixes draw on the whole alphabet: 1,000 random characters cover all 36 (chance of missing one < 1e-10)
    expect(new Set(names.map((n) => n.slice(-5)).join('')).size).toBe(36);
  });

  it('draws again while the name is taken', () => {
    const taken = new BusySet(3);
    const name = newNodeName('gpu', taken);
    expect(taken.asked).toHaveLength(4);
    expect(name).toBe(taken.asked[3]);
    expect(name).toMatch(/^gpu-[a-z0-9]{5}$/);
    expect([...taken]).toEqual([name]);
  });
});

describe('poolName', () => {
  it('is <display name>-<project id>', () => {
    expect(poolName('pool-1', '0b4c1a2d3e4f5a6b7c8d9e0f1a2b3c4d')).toBe('pool-1-0b4c1a2d3e4f5a6b7c8d9e0f1a2b3c4d');
  });
});

describe('newHexId', () => {
  it('is 32 lowercase hex characters, different every time', () => {
    const ids = Array.from({ length: 50 }, newHexId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(50);
  });
});

describe('newAccessKeyPair', () => {
  it('an AK of 20 uppercase letters or digits and an SK of 40 letters or digits, different every time', () => {
    const pairs = Array.from({ length: 100 }, newAccessKeyPair);
    for (const { accessKey, secretKey } of pairs) {
      expect(accessKey).toMatch(/^[A-Z0-9]{20}$/);
      expect(secretKey).toMatch(/^[A-Za-z0-9]{40}$/);
    }
    expect(new Set(pairs.map((p) => p.accessKey)).size).toBe(100);
    // the alphabets are used whole: 2,000 AK characters cover all 36, 4,000 SK characters all 62
    expect(new Set(pairs.map((p) => p.accessKey).join('')).size).toBe(36);
    expect(new Set(pairs.map((p) => p.secretKey).join('')).size).toBe(62);
  });
});

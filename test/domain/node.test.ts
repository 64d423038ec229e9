import { describe, expect, it } from 'vitest';
import { ANNOTATION_DRAIN, ANNOTATION_LOCK, ANNOTATION_TAGS, LABEL_HA_REDUNDANT, TAINT_HA_REDUNDANT } from '../../src/domain/node.js';
import { systemClock, toTimestamp } from '../../src/domain/time.js';

describe('the metadata names clients read', () => {
  // ModelArts' own names: SDK users and the Terraform provider match on them, so a changed one is a broken API.
  it('are the ModelArts ones', () => {
    expect(LABEL_HA_REDUNDANT).toBe('os.modelarts.node/ha.redundant.enabled');
    expect(TAINT_HA_REDUNDANT).toBe('os.modelarts.node/ha.redundant');
    expect(ANNOTATION_TAGS).toBe('os.modelarts/tms.tags');
    expect(ANNOTATION_LOCK).toBe('os.modelarts.node/lock.action');
    expect(ANNOTATION_DRAIN).toBe('os.modelarts.node/drain');
  });
});

describe('time', () => {
  it('the system clock reads the current time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('timestamps are RFC 3339 UTC to the second', () => {
    expect(toTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 999))).toBe('2026-01-02T03:04:05Z');
    expect(toTimestamp(0)).toBe('1970-01-01T00:00:00Z');
  });
});

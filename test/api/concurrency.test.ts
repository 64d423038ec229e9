import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOverlappingUpdates } from '../helpers/overlapping-updates.js';
import { startTestService, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  t = await startTestService({ env: { POOLKEEPER_SEED_DEMO: '0' } });
});

afterAll(async () => {
  await t.stop();
});

it('overlapping concurrent batch-updates lose nothing that was reported successful', async () => {
  expect(await runOverlappingUpdates([t.client], t.projectId, 'race')).toBeGreaterThan(30);
});

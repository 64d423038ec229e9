import { describe, expect, it } from 'vitest';
import { checkBatchUpdateRequest } from '../../src/domain/batch-update-request.js';
import type { BatchUpdateBody } from '../../src/schemas/batch-update.js';

const NAME = 'os-node-created-xzz78';

function body(overrides: Partial<BatchUpdateBody> = {}): BatchUpdateBody {
  return { nodeNames: [NAME], action: 'openHaRedundant', ...overrides };
}

describe('checkBatchUpdateRequest: valid requests', () => {
  it.each<[string, BatchUpdateBody]>([
    ['open HA', { nodeNames: [NAME], action: 'openHaRedundant' }],
    ['open HA NoExecute', { nodeNames: [NAME], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }],
    ['close HA with an effect (the Terraform test sends one)', { nodeNames: ['n1'], action: 'closeHaRedundant', haRedundantEffect: 'NoExecute' }],
    ['open HA with haRedundantEnable=true', { nodeNames: [NAME], action: 'openHaRedundant', haRedundantEnable: true }],
    ['close HA with haRedundantEnable=false', { nodeNames: [NAME], action: 'closeHaRedundant', haRedundantEnable: false }],
    [
      'create tags',
      { nodeNames: ['n1', 'n2'], action: 'createTags', tags: [{ key: 'foo1', value: 'bar1' }, { key: 'foo2', value: 'bar2' }] },
    ],
    ['create a tag with an empty value', { nodeNames: ['n1'], action: 'createTags', tags: [{ key: 'flag', value: '' }] }],
    ['delete tags, one by key only', { nodeNames: ['n1'], action: 'deleteTags', tags: [{ key: 'env', value: '' }, { key: 'team', value: 'a/b' }] }],
    ['multilingual tags', { nodeNames: ['n1'], action: 'createTags', tags: [{ key: '环境', value: '测试' }, { key: 'среда', value: 'тест' }, { key: 'बिल्लिंग', value: 'हाँ' }] }],
    ['driver with HA', { nodeNames: ['n1'], action: 'openHaRedundant', driver: { version: '23.0.6', updateStrategy: 'force' } }],
    ['driver with tags', { nodeNames: ['n1'], action: 'createTags', tags: [{ key: 'k', value: 'v' }], driver: { version: 'Ascend_HDK-24.1.RC3' } }],
    ['dotted node names', { nodeNames: ['node-1.zone-a.example', '0', 'a--b'], action: 'closeHaRedundant' }],
  ])('%s', (_label, b) => {
    expect(checkBatchUpdateRequest(b)).toBeNull();
  });
});

describe('checkBatchUpdateRequest: nodeNames', () => {
  it('names the index of an invalid name', () => {
    expect(checkBatchUpdateRequest(body({ nodeNames: ['ok', 'ok2', ''] }))).toBe('nodeNames[2]: must be 1-63 characters');
    expect(checkBatchUpdateRequest(body({ nodeNames: ['ok', 'x'.repeat(64)] }))).toBe('nodeNames[1]: must be 1-63 characters');
    expect(checkBatchUpdateRequest(body({ nodeNames: ['Upper'] }))).toMatch(/^nodeNames\[0\]: contains a character that is not allowed: "U"/);
    expect(checkBatchUpdateRequest(body({ nodeNames: ['ok', '-bad'] }))).toBe(
      'nodeNames[1]: must start and end with a lowercase letter or digit',
    );
  });

  it('rejects a duplicate, naming its index and the name', () => {
    const names = Array.from({ length: 10 }, (_, i) => `os-node-created-${i}`);
    names[7] = names[3]!;
    expect(checkBatchUpdateRequest(body({ nodeNames: names }))).toBe(
      'nodeNames[7]: duplicate node name "os-node-created-3"',
    );
  });

  // How long this takes is measured by bench/name-validation.ts, not here.
  it('checks all 10,000 names of the largest request', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `os-node-created-${i.toString(36).padStart(5, '0')}`);
    expect(checkBatchUpdateRequest(body({ nodeNames: names }))).toBeNull();
    names[9_999] = names[0]!;
    expect(checkBatchUpdateRequest(body({ nodeNames: names }))).toBe(`nodeNames[9999]: duplicate node name "${names[0]}"`);
  });
});

describe('checkBatchUpdateRequest: tags and the action', () => {
  it.each(['createTags', 'deleteTags'] as const)('requires tags for %s', (action) => {
    expect(checkBatchUpdateRequest(body({ action }))).toBe(`tags is required for action ${action}`);
  });

  it.each(['openHaRedundant', 'closeHaRedundant'] as const)('rejects tags with %s', (action) => {
    expect(checkBatchUpdateRequest(body({ action, tags: [{ key: 'k', value: 'v' }] }))).toBe(
      `tags is only allowed with createTags or deleteTags, not with action ${action}`,
    );
  });

  it.each(['createTags', 'deleteTags'] as const)('rejects duplicate tag keys for %s', (action) => {
    const tags = [
      { key: 'a', value: '1' },
      { key: 'b', value: '' },
      { key: 'env', value: 'x' },
      { key: 'env', value: 'y' },
    ];
    expect(checkBatchUpdateRequest(body({ action, tags }))).toBe('tags[3].key: duplicate key "env"');
  });

  it('treats keys that differ in case as different', () => {
    const tags = [
      { key: 'env', value: '1' },
      { key: 'Env', value: '2' },
    ];
    expect(checkBatchUpdateRequest(body({ action: 'createTags', tags }))).toBeNull();
  });

  it('checks each key and value with the tag rules, naming the field', () => {
    const check = (key: string, value: string, action: 'createTags' | 'deleteTags' = 'createTags') =>
      checkBatchUpdateRequest(body({ action, tags: [{ key: 'ok', value: 'ok' }, { key, value }] }));
    expect(check('_sys_x', 'v')).toBe('tags[1].key: must not start with _sys_');
    expect(check('', 'v')).toBe('tags[1].key: must be 1-128 characters');
    expect(check('a/b', 'v')).toBe('tags[1].key: contains a character that is not allowed: "/"');
    expect(check(' k', 'v')).toBe('tags[1].key: must not start or end with a space');
    expect(check('k', 'v ')).toBe('tags[1].value: must not start or end with a space');
    expect(check('k', 'v#')).toBe('tags[1].value: contains a character that is not allowed: "#"');
    expect(check('k', 'v'.repeat(256), 'deleteTags')).toBe('tags[1].value: must be at most 255 characters');
    expect(check('k', '')).toBeNull();
    expect(check('k', '', 'deleteTags')).toBeNull();
  });

  it('reports the first tag error', () => {
    const tags = [
      { key: '_sys_a', value: 'v' },
      { key: 'b', value: '#' },
    ];
    expect(checkBatchUpdateRequest(body({ action: 'createTags', tags }))).toBe('tags[0].key: must not start with _sys_');
  });
});

describe('checkBatchUpdateRequest: HA fields', () => {
  it.each(['createTags', 'deleteTags'] as const)('rejects haRedundantEffect with %s', (action) => {
    expect(
      checkBatchUpdateRequest(body({ action, tags: [{ key: 'k', value: 'v' }], haRedundantEffect: 'NoSchedule' })),
    ).toBe(`haRedundantEffect is only allowed with openHaRedundant or closeHaRedundant, not with action ${action}`);
  });

  it('rejects haRedundantEnable=true with closeHaRedundant', () => {
    expect(checkBatchUpdateRequest(body({ action: 'closeHaRedundant', haRedundantEnable: true }))).toBe(
      'haRedundantEnable=true contradicts action closeHaRedundant',
    );
  });

  it('rejects haRedundantEnable=false with openHaRedundant', () => {
    expect(checkBatchUpdateRequest(body({ action: 'openHaRedundant', haRedundantEnable: false }))).toBe(
      'haRedundantEnable=false contradicts action openHaRedundant',
    );
  });

  it.each([
    ['createTags', true],
    ['createTags', false],
    ['deleteTags', true],
    ['deleteTags', false],
  ] as const)('rejects haRedundantEnable with %s (value %s)', (action, enable) => {
    expect(
      checkBatchUpdateRequest(body({ action, tags: [{ key: 'k', value: 'v' }], haRedundantEnable: enable })),
    ).toBe(`haRedundantEnable is only allowed with openHaRedundant or closeHaRedundant, not with action ${action}`);
  });
});

describe('checkBatchUpdateRequest: driver.version', () => {
  it.each(['1', '23.0.6', 'Ascend_HDK-24.1.RC3', 'v'.repeat(64)])('accepts %j', (version) => {
    expect(checkBatchUpdateRequest(body({ driver: { version } }))).toBeNull();
  });

  it.each(['', 'v'.repeat(65), '23.0 6', '23/0', 'v1+build', '版本1', '1\n'])('rejects %j', (version) => {
    expect(checkBatchUpdateRequest(body({ driver: { version } }))).toBe(
      "driver.version: must be 1-64 characters of letters, digits, '.', '_' or '-'",
    );
  });
});

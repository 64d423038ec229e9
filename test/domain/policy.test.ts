import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isActionAllowed, READ_ONLY_POOL_POLICY, ALL_POOL_ACTIONS_POLICY } from '../../src/domain/policy.js';

const segment = fc.stringMatching(/^[a-z]{1,8}$/);
const action = fc.tuple(segment, segment, segment).map(([a, b, c]) => `${a}:${b}:${c}`);
const pattern = fc.tuple(fc.oneof(segment, fc.constant('*')), fc.oneof(segment, fc.constant('*')), fc.oneof(segment, fc.constant('*'))).map((p) => p.join(':'));
const statement = fc.record({ Effect: fc.constantFrom('Allow' as const, 'Deny' as const), Action: fc.array(fc.oneof(pattern, action), { minLength: 1, maxLength: 4 }) });
const policies = fc.array(fc.record({ Version: fc.constant('1.1'), Statement: fc.array(statement, { minLength: 1, maxLength: 4 }) }), { maxLength: 4 });

describe('isActionAllowed', () => {
  it('the built-in policies allow what their names say', () => {
    for (const a of ['list', 'get', 'create', 'update', 'delete']) expect(isActionAllowed([ALL_POOL_ACTIONS_POLICY], `modelarts:pool:${a}`)).toBe(true);
    expect(isActionAllowed([READ_ONLY_POOL_POLICY], 'modelarts:pool:get')).toBe(true);
    expect(isActionAllowed([READ_ONLY_POOL_POLICY], 'modelarts:pool:list')).toBe(true);
    expect(isActionAllowed([READ_ONLY_POOL_POLICY], 'modelarts:pool:update')).toBe(false);
    expect(isActionAllowed([ALL_POOL_ACTIONS_POLICY], 'modelarts:notebook:get')).toBe(false);
  });

  it('the built-in documents are the documented ones, in the policy document format', () => {
    expect(ALL_POOL_ACTIONS_POLICY).toEqual({ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }] });
    expect(READ_ONLY_POOL_POLICY).toEqual({ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:list', 'modelarts:pool:get'] }] });
  });

  it('no policies, or malformed ones, allow nothing', () => {
    expect(isActionAllowed([], 'modelarts:pool:get')).toBe(false);
    expect(isActionAllowed([null, 'x', { Statement: 'no' }, { Statement: [{ Effect: 'Allow', Action: 'modelarts:pool:get' }] }], 'modelarts:pool:get')).toBe(false);
  });

  it('an explicit Deny always wins', () => {
    fc.assert(
      fc.property(policies, action, (docs, a) => {
        const withDeny = [...docs, { Version: '1.1', Statement: [{ Effect: 'Deny' as const, Action: [a] }] }];
        return isActionAllowed(withDeny, a) === false;
      }),
    );
  });

  it('without a matching Allow nothing passes', () => {
    fc.assert(
      fc.property(policies, action, (docs, a) => {
        const onlyDenies = docs.map((d) => ({ ...d, Statement: d.Statement.map((s) => ({ ...s, Effect: 'Deny' as const })) }));
        return isActionAllowed(onlyDenies, a) === false;
      }),
    );
  });

  it('an Allow of exactly the action passes when nothing denies it', () => {
    fc.assert(
      fc.property(policies, action, (docs, a) => {
        const allows = docs.map((d) => ({ ...d, Statement: d.Statement.filter((s) => s.Effect === 'Allow') }));
        return isActionAllowed([...allows, { Version: '1.1', Statement: [{ Effect: 'Allow', Action: [a] }] }], a);
      }),
    );
  });

  it('wildcards match only the segments they stand for', () => {
    fc.assert(
      fc.property(segment, segment, segment, segment, (service, resource, verb, other) => {
        fc.pre(other !== resource && other !== service);
        const allowResource = [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: [`${service}:${resource}:*`] }] }];
        const allowService = [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: [`${service}:*`] }] }];
        return (
          isActionAllowed(allowResource, `${service}:${resource}:${verb}`) &&
          !isActionAllowed(allowResource, `${service}:${other}:${verb}`) &&
          !isActionAllowed(allowResource, `${other}:${resource}:${verb}`) &&
          isActionAllowed(allowService, `${service}:${resource}:${verb}`) &&
          !isActionAllowed(allowService, `${other}:${resource}:${verb}`)
        );
      }),
    );
  });

  // Attaching a policy checks its document against the schema, so these only reach the evaluator from a damaged store:
  // a statement that is not well-formed is skipped whole (it neither allows nor denies), and never throws.
  const allowGet = { Effect: 'Allow', Action: ['modelarts:pool:get'] };
  it.each<[string, unknown]>([
    ['Effect "allow"', { Effect: 'allow', Action: ['modelarts:pool:get'] }],
    ['Effect "Maybe"', { Effect: 'Maybe', Action: ['modelarts:pool:get'] }],
    ['no Effect', { Action: ['modelarts:pool:get'] }],
    ['Action a string, not a list', { Effect: 'Allow', Action: 'modelarts:pool:get' }],
    ['Action with a non-string entry', { Effect: 'Allow', Action: ['modelarts:pool:get', 42] }],
    ['Action with a null entry', { Effect: 'Allow', Action: [null, 'modelarts:pool:get'] }],
  ])('a statement with %s allows nothing', (_name, statement) => {
    expect(isActionAllowed([{ Version: '1.1', Statement: [statement] }], 'modelarts:pool:get')).toBe(false);
  });

  it.each<[string, unknown]>([
    ['Effect "deny"', { Effect: 'deny', Action: ['modelarts:pool:get'] }],
    ['Effect "DENY"', { Effect: 'DENY', Action: ['modelarts:pool:get'] }],
    ['a non-string Action entry', { Effect: 'Deny', Action: ['modelarts:pool:get', 42] }],
  ])('a Deny statement with %s is skipped, not applied', (_name, statement) => {
    expect(isActionAllowed([{ Version: '1.1', Statement: [statement, allowGet] }], 'modelarts:pool:get')).toBe(true);
  });

  it('statements that are not objects, and a Statement that is not a list, are skipped without throwing', () => {
    expect(isActionAllowed([{ Version: '1.1', Statement: [null, undefined, 'x', 1, [], allowGet] }], 'modelarts:pool:get')).toBe(true);
    expect(isActionAllowed([{ Version: '1.1', Statement: allowGet }], 'modelarts:pool:get')).toBe(false);
    expect(isActionAllowed([undefined, { Version: '1.1' }, { Version: '1.1', Statement: [allowGet] }], 'modelarts:pool:get')).toBe(true);
  });

  it('a pattern without a wildcard matches exactly that action (its dots are literal)', () => {
    const allowDotted = [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['a.b'] }] }];
    expect(isActionAllowed(allowDotted, 'a.b')).toBe(true);
    expect(isActionAllowed(allowDotted, 'axb')).toBe(false);
    expect(isActionAllowed(allowDotted, 'a.bc')).toBe(false);
    expect(isActionAllowed(allowDotted, 'xa.b')).toBe(false);
  });

  it('a wildcard matches any run of characters, including none and colons', () => {
    const allow = (pattern: string) => [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: [pattern] }] }];
    expect(isActionAllowed(allow('modelarts:*'), 'modelarts:')).toBe(true);
    expect(isActionAllowed(allow('modelarts:*'), 'modelarts:pool:get')).toBe(true);
    expect(isActionAllowed(allow('*:get'), 'modelarts:pool:get')).toBe(true);
    expect(isActionAllowed(allow('modelarts:*:get'), 'modelarts:pool:list')).toBe(false);
    expect(isActionAllowed(allow('*'), 'anything:at:all')).toBe(true);
  });

  it('treats regex characters in patterns literally', () => {
    for (const pattern of ['a+b', 'a?b', 'a^b', 'a$b', 'a{1}b', 'a(b)', 'a|b', 'a[b]', 'a\\b']) {
      expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: [pattern] }] }], pattern), pattern).toBe(true);
    }
    expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['a+b'] }] }], 'aab')).toBe(false);
    expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:.+'] }] }], 'modelarts:pool:get')).toBe(false);
    expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['MODELARTS:POOL:GET'] }] }], 'modelarts:pool:get')).toBe(true);
  });
});

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

  it('treats regex characters in patterns literally', () => {
    expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:.+'] }] }], 'modelarts:pool:get')).toBe(false);
    expect(isActionAllowed([{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['MODELARTS:POOL:GET'] }] }], 'modelarts:pool:get')).toBe(true);
  });
});

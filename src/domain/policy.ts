/** IAM-style policy documents: `{"Version": "1.1", "Statement": [{"Effect": "Allow"|"Deny", "Action": [...]}]}`. */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export const ALL_POOL_ACTIONS_POLICY: PolicyDocument = {
  Version: '1.1',
  Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }],
};

export const READ_ONLY_POOL_POLICY: PolicyDocument = {
  Version: '1.1',
  Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:list', 'modelarts:pool:get'] }],
};

const patternCache = new Map<string, RegExp>();

function actionPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  // Stryker disable next-line ConditionalExpression: compiling the pattern again gives the same expression
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^]*');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

function isStatement(value: unknown): value is PolicyStatement {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (s.Effect === 'Allow' || s.Effect === 'Deny') && Array.isArray(s.Action) && s.Action.every((a) => typeof a === 'string');
}

function statements(policies: readonly unknown[]): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  for (const policy of policies) {
    const list = (policy as { Statement?: unknown } | null)?.Statement;
    if (Array.isArray(list)) for (const s of list) if (isStatement(s)) out.push(s);
  }
  return out;
}

/** An explicit Deny wins; otherwise some Allow must match; no matching Allow means denied. */
export function isActionAllowed(policies: readonly unknown[], action: string): boolean {
  let allowed = false;
  for (const statement of statements(policies)) {
    const matches = statement.Action.some((pattern) => actionPattern(pattern).test(action));
    if (!matches) continue;
    if (statement.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

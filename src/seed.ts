import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { OPERATOR_ACCOUNT, OPERATOR_ADMIN } from './bootstrap.js';
import { ConfigError } from './config.js';
import { checkMetadataKeys } from './domain/metadata-keys.js';
import { newHexId, poolName } from './domain/naming.js';
import type { NodeDelta, Taint } from './domain/node.js';
import type { PolicyDocument } from './domain/policy.js';
import { checkTagKey, checkTagValue, MAX_TAGS_PER_NODE } from './domain/tags.js';
import { toTimestamp, type Clock } from './domain/time.js';
import { LABEL_POOL_DISPLAY_NAME } from './schemas/pool.js';
import { SeedSchema, type Seed, type SeedPool } from './schemas/seed.js';
import { compileInputValidator, describeValidationError } from './schemas/validator.js';
import type { SecretBox } from './security/secrets.js';
import { ApiError } from './errors/catalogue.js';
import { BUILTIN_POLICIES, IamService } from './service/iam.js';
import type { NodeBackend } from './service/node-backend.js';
import { operationMeta } from './service/node-changes.js';
import { AlreadyExistsError } from './store/identity.js';
import { PoolExistsError, type NewNode } from './store/pools.js';
import type { Store } from './store/store.js';

const validateSeed = compileInputValidator(SeedSchema);

/** A problem in a seed, naming the field (`accounts[0].users[1].name`) and what is wrong with it. */
export class SeedError extends ConfigError {}

export interface SeedLimits {
  maxPoolNodes: number;
  /** The first start's project name (the region). */
  region: string;
}

/**
 * Rules the schema cannot say: names unique where the store needs them, label keys as CreatePool accepts them, tags
 * as batch-update accepts them, every node with a flavor, memberships and policies that resolve (against the seed and
 * what the first start creates), so a seed that passes applies without a refusal. Returns the first problem, naming
 * its field.
 */
function checkSeed(seed: Seed, { maxPoolNodes, region }: SeedLimits): string | null {
  const accessKeys = new Set<string>();
  const projectIds = new Set<string>();
  const accountNames = new Set<string>();
  for (const [a, account] of seed.accounts.entries()) {
    const at = `accounts[${a}]`;
    if (accountNames.has(account.name)) return `${at}.name: account ${account.name} appears twice`;
    accountNames.add(account.name);
    const projectNames = new Set<string>();
    const known = new Set<string>(account.name === OPERATOR_ACCOUNT ? [region] : []);
    for (const project of account.projects ?? []) for (const ref of [project.name, project.id]) if (ref !== undefined) known.add(ref);
    for (const [p, project] of (account.projects ?? []).entries()) {
      const pat = `${at}.projects[${p}]`;
      if (projectNames.has(project.name)) return `${pat}.name: project ${project.name} appears twice in the account`;
      projectNames.add(project.name);
      if (project.id !== undefined) {
        if (projectIds.has(project.id)) return `${pat}.id: project id ${project.id} appears twice`;
        projectIds.add(project.id);
      }
      const poolNames = new Set<string>();
      for (const [q, pool] of (project.pools ?? []).entries()) {
        const problem = checkPool(pool, `${pat}.pools[${q}]`, maxPoolNodes);
        if (problem) return problem;
        if (poolNames.has(pool.name)) return `${pat}.pools[${q}].name: pool ${pool.name} appears twice in the project`;
        poolNames.add(pool.name);
      }
    }
    const userNames = new Set<string>();
    for (const [u, user] of (account.users ?? []).entries()) {
      const uat = `${at}.users[${u}]`;
      if (userNames.has(user.name)) return `${uat}.name: user ${user.name} appears twice in the account`;
      userNames.add(user.name);
      if (account.name === OPERATOR_ACCOUNT && user.name === OPERATOR_ADMIN && user.accountAdmin === false) {
        return `${uat}.accountAdmin: ${OPERATOR_ADMIN} is the operator account's administrator`;
      }
      for (const [i, project] of (user.projects ?? []).entries()) {
        if (!known.has(project)) return `${uat}.projects[${i}]: account ${account.name} has no project ${project}`;
      }
      for (const [i, policy] of (user.policies ?? []).entries()) {
        if (typeof policy === 'string' && !(policy in BUILTIN_POLICIES)) {
          return `${uat}.policies[${i}]: ${policy} is not a built-in policy (${Object.keys(BUILTIN_POLICIES).join(', ')}); give {name, document} for a custom one`;
        }
      }
      for (const [k, key] of (user.accessKeys ?? []).entries()) {
        if (accessKeys.has(key.accessKey)) return `${uat}.accessKeys[${k}].accessKey: ${key.accessKey} appears twice`;
        accessKeys.add(key.accessKey);
      }
    }
  }
  return null;
}

function checkPool(pool: SeedPool, at: string, maxPoolNodes: number): string | null {
  const labelProblem = checkMetadataKeys(pool.labels, `${at}.labels`);
  if (labelProblem) return labelProblem;
  if (pool.nodes.length > maxPoolNodes) return `${at}.nodes: ${pool.nodes.length} nodes, more than the ${maxPoolNodes} a pool may hold (POOLKEEPER_MAX_POOL_NODES)`;
  const names = new Set<string>();
  for (const [n, node] of pool.nodes.entries()) {
    const nat = `${at}.nodes[${n}]`;
    if (names.has(node.name)) return `${nat}.name: node ${node.name} appears twice in the pool`;
    names.add(node.name);
    if (node.flavor === undefined && pool.flavor === undefined) return `${nat}.flavor is required (the pool gives no flavor)`;
    const nodeLabelProblem = checkMetadataKeys(node.labels, `${nat}.labels`);
    if (nodeLabelProblem) return nodeLabelProblem;
    const tags = Object.entries(node.tags ?? {});
    if (tags.length > MAX_TAGS_PER_NODE) return `${nat}.tags: at most ${MAX_TAGS_PER_NODE} tags per node`;
    for (const [key, value] of tags) {
      const problem = checkTagKey(key) ?? checkTagValue(value);
      if (problem) return `${nat}.tags["${key}"]: ${checkTagKey(key) ? 'the key' : 'the value'} ${problem}`;
    }
    const taints = new Set<string>();
    for (const [t, taint] of (node.taints ?? []).entries()) {
      const id = `${taint.key}:${taint.effect}`;
      if (taints.has(id)) return `${nat}.taints[${t}]: the taint ${taint.key} with effect ${taint.effect} appears twice`;
      taints.add(id);
    }
  }
  return null;
}

/** Reads a seed file (YAML, or JSON, which is YAML too) and validates it; errors name the file and the field. */
export function loadSeedFile(file: string, limits: SeedLimits): Seed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SeedError(`seed file ${file} cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new SeedError(`seed file ${file} is not valid YAML or JSON: ${(error as Error).message.split('\n', 1)[0]}`);
  }
  const issues = validateSeed(value);
  if (issues) throw new SeedError(`seed file ${file}: ${describeValidationError(issues, 'body')}`);
  const seed = value as Seed;
  const problem = checkSeed(seed, limits);
  if (problem) throw new SeedError(`seed file ${file}: ${problem}`);
  return seed;
}

export interface SeedDependencies {
  store: Store;
  secrets: SecretBox;
  clock: Clock;
  /** The node backend's flavors, default drivers and creation time. */
  backend: NodeBackend;
  /** The first start's project name; the seed's nodes are in its zone `a`. */
  region: string;
}

/**
 * Loads a checked seed into the store after the first-start bootstrap: accounts and projects that exist (the
 * operator account) are extended, everything else is created. Node names, project ids and keys are the seed's, so a
 * test can name them.
 */
export async function applySeed(seed: Seed, deps: SeedDependencies): Promise<void> {
  const { store, clock } = deps;
  const iam = new IamService(store, deps.secrets, clock);
  for (const [a, account] of seed.accounts.entries()) {
    const at = `accounts[${a}]`;
    const accountId = ((await store.identity.findAccount(account.name)) ?? (await named(`${at}.name`, () => iam.createAccount(account.name)))).id;
    for (const [p, project] of (account.projects ?? []).entries()) {
      let projectId = (await store.identity.findProject(accountId, project.name))?.id;
      if (projectId === undefined) {
        projectId = project.id ?? newHexId();
        await named(`${at}.projects[${p}].id`, () => store.identity.createProject({ id: projectId!, accountId, name: project.name, createdAt: clock.now() }));
      }
      for (const [q, pool] of (project.pools ?? []).entries()) await createPool(pool, projectId, `${at}.projects[${p}].pools[${q}]`, deps);
    }
    for (const [u, user] of (account.users ?? []).entries()) {
      const uat = `${at}.users[${u}]`;
      const existing = await store.identity.findUser(accountId, user.name);
      if (existing === undefined) {
        await named(uat, () => iam.createUser(accountId, { name: user.name, password: user.password, accountAdmin: user.accountAdmin, projects: user.projects }));
      } else {
        if (user.accountAdmin !== undefined && user.accountAdmin !== existing.isAccountAdmin) {
          throw new SeedError(`seed: ${uat}.accountAdmin: user ${user.name} already exists with accountAdmin ${existing.isAccountAdmin}`);
        }
        if (user.password !== undefined) await iam.setPassword(accountId, user.name, user.password);
        for (const project of user.projects ?? []) await named(`${uat}.projects`, () => iam.setMembership(accountId, user.name, project, true));
      }
      const userId = (await iam.requireUser(accountId, user.name)).id;
      for (const policy of user.policies ?? []) {
        if (typeof policy === 'string') await iam.attachPolicy(accountId, user.name, policy);
        else await iam.attachPolicy(accountId, user.name, policy.name, policy.document as PolicyDocument);
      }
      for (const [k, key] of (user.accessKeys ?? []).entries()) {
        await named(`${uat}.accessKeys[${k}].accessKey`, () =>
          store.identity.createAccessKey({
            accessKey: key.accessKey,
            sealedSecretKey: deps.secrets.seal(key.secretKey),
            userId,
            createdAt: clock.now(),
            expiresAt: null,
            securityTokenHash: null,
          }),
        );
      }
    }
  }
}

/** Runs a write, turning "already exists", "not found" and refusals into a SeedError naming the field. */
async function named<T>(field: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof AlreadyExistsError || error instanceof PoolExistsError || error instanceof ApiError) {
      throw new SeedError(`seed: ${field}: ${error.message}`);
    }
    throw error;
  }
}

async function createPool(pool: SeedPool, projectId: string, at: string, deps: SeedDependencies): Promise<void> {
  const { store, clock, backend, region } = deps;
  const now = clock.now();
  const creatingUntil = backend.creatingUntil(now);
  const counts = new Map<string, number>();
  const nodes: NewNode[] = pool.nodes.map((node, i) => {
    const flavor = (node.flavor ?? pool.flavor)!;
    counts.set(flavor, (counts.get(flavor) ?? 0) + 1);
    const accelerator = backend.flavor(flavor).accelerator;
    const phase = node.phase ?? 'Available';
    const creating = phase === 'Creating' && creatingUntil !== null;
    return {
      name: node.name,
      flavor,
      az: `${region}a`,
      privateIp: `192.168.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      nodePool: null,
      phase: phase === 'Creating' && !creating ? 'Available' : phase,
      phaseUntil: creating ? creatingUntil : null,
      driverVersion: node.driverVersion ?? (accelerator === null ? null : backend.defaultDriverVersion(accelerator)),
    };
  });
  const name = poolName(pool.name, projectId);
  const record = await named(`${at}.name`, () =>
    store.pools.create(
      {
        projectId,
        name,
        phase: nodes.some((n) => n.phase === 'Creating') ? 'Creating' : 'Running',
        labels: { ...pool.labels, [LABEL_POOL_DISPLAY_NAME]: pool.name },
        annotations: {},
        spec: {
          type: 'Dedicate',
          scope: pool.scope ?? ['Train'],
          network: { name: `network-${pool.name}` },
          resources: [...counts].map(([flavor, count]) => ({ flavor, count })),
        },
        createdAt: now,
        resourceVersion: 1,
      },
      nodes,
    ),
  );
  const detailed = pool.nodes.filter((n) => n.labels || n.tags || n.taints);
  if (detailed.length === 0) return;
  const byName = new Map(detailed.map((n) => [n.name, n]));
  await store.changes.apply({
    pool: { projectId, name: record.name },
    nodeNames: [...byName.keys()],
    read: 'batch',
    plan: (states) => ({
      decisions: [...byName.values()].map((node) => {
        const delta: NodeDelta = { nodeId: states.get(node.name)!.id };
        if (node.labels) delta.setLabels = node.labels;
        if (node.tags) delta.upsertTags = Object.entries(node.tags).map(([key, value]) => ({ key, value }));
        if (node.taints) delta.addTaints = node.taints.map((t): Taint => ({ key: t.key, value: t.value ?? '', effect: t.effect, timeAdded: toTimestamp(now) }));
        return { name: node.name, ok: true, delta };
      }),
    }),
    operation: operationMeta({ projectId, name: record.name }, 'Seed', null, { display: 'seed' }, 'seed', now),
  });
}

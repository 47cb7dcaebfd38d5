import { StackIndex, blocks, list } from './graph';
import { parseJsonencode } from './hcl-literal';
import { TfElement } from './types';

export interface Principal {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`. */
  readonly type: string;
  readonly ids: readonly string[];
}

/** One statement, the same whatever form the document was written in. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly Principal[];
  readonly notPrincipals: readonly Principal[];
  readonly conditions: readonly { readonly test: string; readonly variable: string; readonly values: readonly string[] }[];
}

export type PolicyKind = 'identity' | 'trust' | 'resource';

/** Where each resource type keeps a policy document, and what kind of policy it is. */
const POLICY_ATTRIBUTES: Record<string, { readonly attribute: string; readonly kind: PolicyKind }[]> = {
  aws_iam_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_role_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_user_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_group_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_role: [{ attribute: 'assume_role_policy', kind: 'trust' }],
  aws_s3_bucket_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_kms_key: [{ attribute: 'policy', kind: 'resource' }],
  aws_kms_key_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_secretsmanager_secret: [{ attribute: 'policy', kind: 'resource' }],
  aws_secretsmanager_secret_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_cloudwatch_log_resource_policy: [{ attribute: 'policy_document', kind: 'resource' }],
  aws_api_gateway_rest_api: [{ attribute: 'policy', kind: 'resource' }],
  aws_api_gateway_rest_api_policy: [{ attribute: 'policy', kind: 'resource' }],
};

export interface PolicyLocation {
  /** The attribute holding the document, e.g. `policy` or `inline_policy[0].policy`. */
  readonly attribute: string;
  readonly kind: PolicyKind;
  readonly value: unknown;
}

/** The policy attributes of an element, whatever form their documents take. */
export function policyLocations(element: TfElement): PolicyLocation[] {
  const located = (POLICY_ATTRIBUTES[element.type] ?? [])
    .filter(({ attribute }) => element.body[attribute] !== undefined)
    .map(({ attribute, kind }) => ({ attribute, kind, value: element.body[attribute] }));
  if (element.type === 'aws_iam_role') {
    blocks(element.body, 'inline_policy').forEach((inline, i) => {
      if (inline.policy !== undefined) located.push({ attribute: `inline_policy[${i}].policy`, kind: 'identity', value: inline.policy });
    });
  }
  return located;
}

/** Every resource type that holds a policy document (rules that check documents apply to these). */
export const POLICY_HOLDER_TYPES = Object.keys(POLICY_ATTRIBUTES);

const DATA_REFERENCE = /^\$\{(data\.aws_iam_policy_document\.[\w-]+)\.(?:json|minified_json)\}$/;

const strings = (value: unknown): string[] => list(value).map(String);

function fromDataStatement(s: Record<string, unknown>): Statement {
  const principals = (key: string): Principal[] =>
    blocks(s, key).map((p) => ({ type: String(p.type), ids: strings(p.identifiers) }));
  return {
    effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    notResources: strings(s.not_resources),
    principals: principals('principals'),
    notPrincipals: principals('not_principals'),
    conditions: blocks(s, 'condition').map((c) => ({ test: String(c.test), variable: String(c.variable), values: strings(c.values) })),
  };
}

function fromJsonPrincipal(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) return [{ type: '*', ids: strings(value) }];
  return Object.entries(value).map(([type, ids]) => ({ type, ids: strings(ids) }));
}

function fromJsonStatement(s: Record<string, unknown>): Statement {
  const conditions = Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap(([test, pairs]) =>
    Object.entries(pairs).map(([variable, values]) => ({ test, variable, values: strings(values) })),
  );
  return {
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    principals: fromJsonPrincipal(s.Principal),
    notPrincipals: fromJsonPrincipal(s.NotPrincipal),
    conditions,
  };
}

/** Statements of a JSON policy string or `${jsonencode(...)}` expression; undefined if it is neither. */
function parseInline(text: string): Statement[] | undefined {
  let document: unknown;
  try {
    document = text.startsWith('${jsonencode(') ? parseJsonencode(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null || !('Statement' in document)) return undefined;
  return blocks(document as Record<string, unknown>, 'Statement').map(fromJsonStatement);
}

/**
 * The statements written in this element itself: an `aws_iam_policy_document`'s `statement` blocks
 * (plus inline JSON in its source/override documents), or a resource's inline JSON/jsonencode
 * policies. References to policy-document data sources are skipped: the data source is checked
 * where it is written. `unreadable` lists attributes whose document cannot be read at synth time.
 */
export function writtenStatements(element: TfElement): { statements: Statement[]; unreadable: string[] } {
  const statements: Statement[] = [];
  const unreadable: string[] = [];
  const inline = (attribute: string, value: unknown): void => {
    if (typeof value !== 'string' || DATA_REFERENCE.test(value)) return;
    const parsed = parseInline(value);
    if (parsed) statements.push(...parsed);
    else unreadable.push(attribute);
  };
  if (element.address.startsWith('data.aws_iam_policy_document.')) {
    statements.push(...blocks(element.body, 'statement').map(fromDataStatement));
    for (const key of ['source_policy_documents', 'override_policy_documents']) {
      list(element.body[key]).forEach((doc, i) => inline(`${key}[${i}]`, doc));
    }
  } else {
    for (const location of policyLocations(element)) inline(location.attribute, location.value);
  }
  return { statements, unreadable };
}

/**
 * The full document behind a policy attribute value, following a `${data.aws_iam_policy_document.x.json}`
 * reference (and that data source's source/override documents). Undefined when it cannot be read.
 */
export function resolveStatements(value: unknown, stack: StackIndex): Statement[] | undefined {
  if (typeof value !== 'string') return undefined;
  const reference = DATA_REFERENCE.exec(value);
  if (!reference) return parseInline(value);
  const source = stack.get(reference[1]);
  if (!source) return undefined;
  const statements = blocks(source.body, 'statement').map(fromDataStatement);
  for (const key of ['source_policy_documents', 'override_policy_documents']) {
    for (const doc of list(source.body[key])) {
      const nested = resolveStatements(doc, stack);
      if (nested) statements.push(...nested);
    }
  }
  return statements;
}

/** Documents of one kind held by an element, resolved; unreadable ones are left out. */
export function statementsOfKind(element: TfElement, kind: PolicyKind, stack: StackIndex): Statement[] {
  return policyLocations(element)
    .filter((location) => location.kind === kind)
    .flatMap((location) => resolveStatements(location.value, stack) ?? []);
}

/** True for `*`, `"Principal": "*"` and `{"AWS": "*"}`: anyone. */
export const isAnyone = (p: Principal): boolean => (p.type === '*' || p.type === 'AWS') && p.ids.includes('*');

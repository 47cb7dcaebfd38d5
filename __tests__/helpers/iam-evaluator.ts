/**
 * A small offline IAM policy evaluator for the tests: identity policies only, the way IAM decides
 * within one account ("Policy evaluation logic", IAM User Guide): an explicit Deny wins, otherwise any
 * Allow allows, otherwise the request is implicitly denied. Action and resource patterns with `*` and
 * `?` (actions case-insensitive, ARNs case-sensitive), NotAction and NotResource, and the condition
 * operators the project's policies use; any other operator throws, so a test never passes on a
 * condition this evaluator does not understand.
 */

export interface EvaluatedStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (case-insensitive), e.g. `iam:PermissionsBoundary`. Absent keys are undefined. */
  readonly context?: Readonly<Record<string, string>>;
}

export type Decision = 'allow' | 'explicit deny' | 'implicit deny';

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** IAM's wildcard matching: `*` any run of characters (`/` and `:` included), `?` one character. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'is' : 's').test(value);
}

type Test = (actual: string | undefined, values: readonly string[]) => boolean;

const OPERATORS: Readonly<Record<string, Test>> = {
  StringEquals: (actual, values) => actual !== undefined && values.includes(actual),
  StringNotEquals: (actual, values) => actual === undefined || !values.includes(actual),
  StringLike: (actual, values) => actual !== undefined && values.some((v) => globMatches(v, actual)),
  StringNotLike: (actual, values) => actual === undefined || !values.some((v) => globMatches(v, actual)),
  ArnEquals: (actual, values) => actual !== undefined && values.includes(actual),
  ArnLike: (actual, values) => actual !== undefined && values.some((v) => globMatches(v, actual)),
  Bool: (actual, values) => actual !== undefined && values.includes(actual),
};

function conditionsHold(statement: EvaluatedStatement, context: Readonly<Record<string, string>>): boolean {
  const lowerContext = Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(statement.Condition ?? {}).every(([operator, pairs]) => {
    const test = OPERATORS[operator];
    if (test === undefined) throw new Error(`the test evaluator does not know the condition operator ${operator}`);
    return Object.entries(pairs).every(([key, values]) => test(lowerContext[key.toLowerCase()], list(values)));
  });
}

function applies(statement: EvaluatedStatement, request: Request): boolean {
  const action = statement.Action
    ? list(statement.Action).some((p) => globMatches(p, request.action, true))
    : !list(statement.NotAction).some((p) => globMatches(p, request.action, true));
  const resource = statement.Resource
    ? list(statement.Resource).some((p) => globMatches(p, request.resource))
    : !list(statement.NotResource).some((p) => globMatches(p, request.resource));
  return action && resource && conditionsHold(statement, request.context ?? {});
}

/** What IAM decides for one request against all the identity policies of a principal. */
export function evaluate(statements: readonly EvaluatedStatement[], request: Request): Decision {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicit deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit deny';
}

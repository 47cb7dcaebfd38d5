import type { StackIndex } from './graph';
import type { RuleId, RuleName } from './rule-ids';

/** A resource or data source block of synthesized Terraform JSON, with its address. */
export interface TfElement {
  readonly kind: 'resource' | 'data';
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  readonly name: string;
  /** `aws_s3_bucket.x` or `data.aws_iam_policy_document.x`: what `${...}` references point at. */
  readonly address: string;
  /** Construct path, e.g. `network/dataset-bucket/bucket`, from cdktf's `//` metadata. */
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type Severity = 'error' | 'warning';

/** What the report shows about a rule. */
export interface RuleInfo {
  /** Ours, e.g. `LR-S3-001`: what suppressions record. */
  readonly id: string;
  /** What the rule checks, PascalCase as cdk-nag names its rules, e.g. `S3BucketPublicAccessBlocked`. */
  readonly name: string;
  /** checkov (CKV_AWS_*, CKV2_AWS_*) and cdk-nag (AwsSolutions-*) ids this rule mirrors. */
  readonly mirrors: readonly string[];
  readonly severity: Severity;
  /** One line: what a compliant resource looks like. */
  readonly description: string;
  /** One line: why it matters, the risk the rule prevents. */
  readonly rationale: string;
  /** What to change when the rule fails. */
  readonly fix: string;
}

/** A rule as a rule file writes it: its name, and the registry adds the id from `RULE` (rule-ids.ts). */
export interface RuleDefinition extends Omit<RuleInfo, 'id' | 'name'> {
  readonly name: RuleName;
  /** Terraform types the rule checks; data sources as `data.<type>`. */
  readonly appliesTo: readonly string[];
  /** Returns what is wrong with the element, or undefined when it complies. */
  check(element: TfElement, stack: StackIndex): string | undefined;
}

export interface Rule extends RuleDefinition {
  readonly id: RuleId;
}

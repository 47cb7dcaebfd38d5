import { TerraformDataSource, TerraformResource } from 'cdktf';
import { RuleId } from './rule-ids';

/** The rule ids by name, so a suppression reads `RULE.S3BucketAccessLogging` rather than a bare id. */
export { RULE } from './rule-ids';

/** Shortest reason accepted: long enough to say why, not just "n/a" or the rule id. */
export const MIN_REASON_LENGTH = 20;

/**
 * Records, next to the resource, that a security-baseline rule does not apply to it and why.
 *
 * The suppression is written into the resource's `//` block of the synthesized Terraform JSON
 * (`"//": { "suppressions": { "<rule id>": "<reason>" } }`), which Terraform ignores, so reviewers see
 * it in `cdktf.out` and the policy report lists it. An unknown rule id fails synth (LR-SUP-001).
 *
 * @example suppressRule(accessLogs.bucket, RULE.S3BucketAccessLogging, 'This bucket is the access-log target itself')
 */
export function suppressRule(resource: TerraformResource | TerraformDataSource, ruleId: RuleId, reason: string): void {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH) {
    throw new Error(
      `suppressRule(${resource.node.path}, ${ruleId}): give a reason of at least ${MIN_REASON_LENGTH} characters ` +
        `saying why the rule does not apply (got ${JSON.stringify(reason)})`,
    );
  }
  resource.addOverride(`//.suppressions.${ruleId}`, trimmed);
}

/** The suppressions recorded on one synthesized resource or data source block, by rule id. */
export function suppressionsOf(block: Record<string, unknown>): Record<string, string> {
  const comment = block['//'];
  if (typeof comment !== 'object' || comment === null) return {};
  const suppressions = (comment as Record<string, unknown>).suppressions;
  return typeof suppressions === 'object' && suppressions !== null ? (suppressions as Record<string, string>) : {};
}

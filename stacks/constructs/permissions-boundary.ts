import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { Construct } from 'constructs';
import { RULE, suppressRule } from '../../policy/suppress';
import { boundaryStatements } from '../deployer/boundary';
import { boundaryPolicyName, namePrefix } from '../deployer/names';
import { DeployTarget, policyDocument } from '../deployer/policies';
import { keepStackAddresses } from './stack-addresses';

/**
 * One environment's permissions boundary, under the name every stack derives its ARN from
 * (`<project>-<environment>-boundary`): the most any role of the environment may do. It must exist
 * before the stacks create their roles.
 */
export class PermissionsBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, target: DeployTarget) {
    super(scope, id);
    keepStackAddresses(this);
    this.policy = new IamPolicy(this, `${target.environment}-boundary`, {
      name: boundaryPolicyName(target),
      description: `The most any role of ${namePrefix(target)} may do; the deploy role creates roles only with it`,
      policy: JSON.stringify(policyDocument(boundaryStatements(target))),
    });
    suppressRule(
      this.policy,
      RULE.IamNoWildcardResources,
      'A permissions boundary only caps: S3 and KMS are held to the environment\'s buckets and keys, the other ' +
        'workload actions to the region; each role the stacks create names its resources in its own policy, which ' +
        'the baseline checks (Resource "*" here grants nothing by itself)',
    );
  }
}

/**
 * The requests the workload roles of a synth may make: every action their Allow statements grant,
 * on every resource they name, with the Terraform expressions in those resources replaced by the
 * values AWS will give them (bucket names from their prefixes, key and role ARNs, upstream stacks'
 * outputs through remote state) and, for a key, the tags the provider's default tags put on it. An
 * expression it cannot resolve throws, so a new kind of resource makes the test fail, not pass.
 */
import { expandAction } from '../../policy/iam-actions';
import { StackIndex } from '../../policy/graph';
import { statementsOfKind } from '../../policy/iam-policy';
import { StackJson } from '../../scripts/deployer/synthesized-types';
import { PIPELINE_STACKS } from '../../stacks/project-stack';
import { Request } from './iam-evaluator';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A request of a workload role, and where it comes from (for the failure message). */
export interface WorkloadRequest extends Request {
  readonly role: string;
}

export function workloadRequests(stacks: Readonly<Record<string, StackJson>>): WorkloadRequest[] {
  const keyTags = new Map<string, Record<string, string>>();
  const resolve = (stack: string, text: string): string =>
    text.replace(/\$\{([^}]+)\}/g, (whole, expression: string) => value(stack, expression, whole));

  function value(stack: string, expression: string, whole: string): string {
    if (/^data\.aws_partition\.[\w-]+\.partition$/.test(expression)) return 'aws';
    if (/^(data\.aws_caller_identity\.[\w-]+\.account_id|aws_vpc\.[\w-]+\.owner_id)$/.test(expression)) return ACCOUNT;
    if (/^data\.aws_region\.[\w-]+\.(name|region)$/.test(expression)) return REGION;
    const remote = /^data\.terraform_remote_state\.cross-stack-reference-input-(\w+)\.outputs\.([\w-]+)$/.exec(expression);
    if (remote) return resolve(remote[1], String(stacks[remote[1]].output?.[remote[2]]?.value));
    const [type, name, attribute] = expression.split('.');
    const body = stacks[stack].resource?.[type]?.[name];
    if (body === undefined) throw new Error(`${stack}: ${whole} names nothing in the stack`);
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    switch (`${type}.${attribute}`) {
      case 'aws_s3_bucket.arn':
        // A bucket_prefix gets Terraform's 26-digit suffix.
        return `arn:aws:s3:::${String(body.bucket ?? `${String(body.bucket_prefix)}20260101120000000000000001`)}`;
      case 'aws_s3_object.key':
        return String(body.key);
      case 'aws_kms_key.arn': {
        const key = arn('kms', `key/${stack}-${name}`);
        const tags = stacks[stack].provider.aws[0].default_tags[0].tags;
        keyTags.set(key, Object.fromEntries(Object.entries(tags).map(([tag, v]) => [`aws:ResourceTag/${tag}`, v])));
        return key;
      }
      case 'aws_iam_role.arn':
        return `arn:aws:iam::${ACCOUNT}:role/${String(body.name)}`;
      case 'aws_cloudwatch_log_group.arn':
        return arn('logs', `log-group:${String(body.name)}`);
      case 'aws_redshiftserverless_workgroup.arn':
        return arn('redshift-serverless', `workgroup/${stack}-${name}`);
      case 'aws_subnet.id':
      case 'aws_security_group.id':
        return `${type.replace('aws_', '')}-${name}`;
      default:
        throw new Error(`${stack}: the test cannot resolve ${whole}`);
    }
  }

  return PIPELINE_STACKS.flatMap((stack) => {
    const index = new StackIndex(stack, stacks[stack]);
    return index
      .elements()
      .filter((e) => e.type === 'aws_iam_role_policy' || e.type === 'aws_iam_role')
      .flatMap((element) =>
        statementsOfKind(element, 'identity', index)
          .filter((statement) => statement.effect === 'Allow')
          .flatMap((statement) =>
            statement.actions.flatMap((pattern) => {
              const actions = expandAction(pattern);
              if (typeof actions === 'string') throw new Error(actions);
              return actions.flatMap((a) =>
                statement.resources.map((written) => {
                  const resource = resolve(stack, written);
                  const context = { 'aws:RequestedRegion': REGION, 'iam:PassedToService': 'sagemaker.amazonaws.com', ...keyTags.get(resource) };
                  return { role: `${stack}: ${element.address}`, action: `${pattern.split(':')[0]}:${a.name}`, resource, context };
                }),
              );
            }),
          ),
      );
  });
}

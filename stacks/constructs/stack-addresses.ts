import { TerraformDataSource, TerraformElement, TerraformStack } from 'cdktf';
import { Construct, IValidation, Node } from 'constructs';

const KEEPS_STACK_ADDRESSES = Symbol.for('loan-remediation.keeps-stack-addresses');

/**
 * Call first thing in a construct's constructor: every Terraform element created directly in it gets
 * the address it would have had in the stack itself (`aws_cognito_user_pool.user-pool`, not
 * `aws_cognito_user_pool.users_user-pool_270E52BC`). A stack can then be split into constructs without a
 * single resource moving or being replaced, and plans keep short, readable addresses. Elements nested
 * deeper (a construct inside this one) keep cdktf's path-hashed ids. `ProjectStack` applies it when it
 * allocates ids and stops synth if two elements end up with one address.
 */
export function keepStackAddresses(scope: Construct): void {
  Object.defineProperty(scope, KEEPS_STACK_ADDRESSES, { value: true });
}

/** The logical id of an element created directly in a construct that keeps stack addresses. */
export function stackLevelLogicalId(node: Node): string | undefined {
  const parent = node.scope;
  return parent !== undefined && KEEPS_STACK_ADDRESSES in parent ? node.id : undefined;
}

/** Two elements with one address would silently become one Terraform block: this makes synth fail instead. */
export function uniqueAddresses(stack: TerraformStack): IValidation {
  return {
    validate: () => {
      const seen = new Map<string, string>();
      const errors: string[] = [];
      for (const element of stack.node.findAll().filter(TerraformElement.isTerraformElement)) {
        const type = (element as { terraformResourceType?: string }).terraformResourceType;
        if (type === undefined) continue;
        const address = `${element instanceof TerraformDataSource ? 'data.' : ''}${type}.${element.friendlyUniqueId}`;
        const other = seen.get(address);
        if (other !== undefined) errors.push(`${address} is created twice: by ${other} and by ${element.node.path}`);
        seen.set(address, element.node.path);
      }
      return errors;
    },
  };
}

/** expandAction (policy/iam-actions.ts): which IAM actions a pattern grants, or exactly why none. */
import { IamAction, expandAction, resourceType } from '../policy/iam-actions';

const names = (pattern: string): string[] | string => {
  const expanded = expandAction(pattern);
  return typeof expanded === 'string' ? expanded : expanded.map((a) => a.name).sort();
};

describe('expandAction', () => {
  test('an exact action, in any letter case, is that one action', () => {
    expect(names('s3:GetObject')).toEqual(['GetObject']);
    expect(names('S3:getobject')).toEqual(['GetObject']);
    expect(expandAction('sts:GetCallerIdentity')).toEqual([expect.objectContaining({ name: 'GetCallerIdentity', resourceTypes: [] })]);
  });

  test('* and ? match within the whole action name only', () => {
    expect(names('redshift-data:*Statement')).toEqual(['BatchExecuteStatement', 'CancelStatement', 'DescribeStatement', 'ExecuteStatement']);
    expect(names('redshift-data:Get?tatementResult')).toEqual(['GetStatementResult']);
    expect(names('redshift-data:Get*')).toEqual(['GetStagingBucketLocation', 'GetStatementResult']);
    expect(names('redshift-data:get*')).toEqual(['GetStagingBucketLocation', 'GetStatementResult']);
    expect(names('sts:GetCallerIdentit')).toBe('"sts:GetCallerIdentit": sts has no action GetCallerIdentit');
  });

  test('reads each service once: the same action object every time', () => {
    expect(expandAction('kms:Decrypt')).toEqual(expandAction('kms:Decrypt'));
    expect((expandAction('kms:Decrypt') as IamAction[])[0]).toBe((expandAction('kms:Decrypt') as IamAction[])[0]);
  });

  test.each([
    ['s3', '"s3" is not of the form service:Action'],
    ['s3:Get:Object', '"s3:Get:Object" is not of the form service:Action'],
    ['s3:Get Object', '"s3:Get Object" is not of the form service:Action'],
    ['s3:', '"s3:" is not of the form service:Action'],
    [' s3:GetObject', '" s3:GetObject": no IAM service " s3"'],
    ['s3x:GetObject', '"s3x:GetObject": no IAM service "s3x"'],
    ['../s3:GetObject', '"../s3:GetObject": no IAM service "../s3"'],
    ['x/../s3:GetObject', '"x/../s3:GetObject": no IAM service "x/../s3"'],
    ['s3:GetObjekt', '"s3:GetObjekt": s3 has no action GetObjekt'],
    ['s3:Gett*', '"s3:Gett*" matches no s3 action'],
    ['s3:constructor', '"s3:constructor": s3 has no action constructor'],
  ])('%s grants nothing: %s', (pattern, why) => {
    expect(expandAction(pattern)).toBe(why);
  });
});

describe('resourceType', () => {
  test("a service's resource type by the name an action gives it, in either letter case, with its ARN format", () => {
    expect(resourceType('s3', 'bucket')).toEqual(expect.objectContaining({ key: 'bucket', arn: 'arn:${Partition}:s3:::${BucketName}' }));
    expect(resourceType('apigateway', 'RestApis')?.arn).toBe('arn:${Partition}:apigateway:${Region}::/restapis');
    expect(resourceType('SECRETSMANAGER', 'Secret')?.conditionKeys).toContain('aws:ResourceTag/${TagKey}');
  });

  test('nothing for a type or service the database does not know', () => {
    expect(resourceType('s3', 'bukket')).toBeUndefined();
    expect(resourceType('s3x', 'bucket')).toBeUndefined();
    expect(resourceType('../s3', 'bucket')).toBeUndefined();
  });

  test('actions carry their access level, and which resource types are required', () => {
    const [createSubnet] = expandAction('ec2:CreateSubnet') as IamAction[];
    expect(createSubnet.accessLevel).toBe('Write');
    expect(createSubnet.resourceTypes.filter((t) => t.required).map((t) => t.name)).toEqual(['subnet', 'vpc']);
    expect(createSubnet.resourceTypes.find((t) => t.name === 'subnet')?.conditionKeys).toContain('aws:RequestTag/${TagKey}');
  });
});

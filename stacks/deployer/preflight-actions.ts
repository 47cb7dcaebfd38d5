/**
 * The IAM actions `npm run preflight` calls, per check: scripts/preflight/checks.ts takes each check's
 * actions from here, and the deploy role, which runs preflight in deploy.yml before it applies, is
 * granted exactly these (ci-access.ts). Kept apart from the checks so that synth does not load their
 * AWS SDK clients.
 */
export const PREFLIGHT_CHECK_ACTIONS = {
  credentials: ['sts:GetCallerIdentity'],
  'availability-zones': ['ec2:DescribeAvailabilityZones'],
  'api-gateway-logging-role': ['apigateway:GET'],
  'lambda-concurrency': ['lambda:GetAccountSettings', 'lambda:GetFunctionConcurrency'],
  'cognito-domain': ['cognito-idp:DescribeUserPoolDomain'],
  'state-backend': ['s3:ListBucket', 'kms:DescribeKey'],
  'logs-resource-policies': ['logs:DescribeResourcePolicies'],
  quotas: ['servicequotas:ListServiceQuotas'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type PreflightCheckId = keyof typeof PREFLIGHT_CHECK_ACTIONS;

/** Every IAM action preflight calls, in the order it reports: docs/operations.md lists them. */
export const PREFLIGHT_IAM_ACTIONS: readonly string[] = Object.values(PREFLIGHT_CHECK_ACTIONS).flat();

import type { Rule, RuleDefinition } from './types';

/**
 * Every resource rule's id, keyed by the rule's name: the one place ids are written.
 *
 * A name says what the rule checks, as cdk-nag names its rules (`S3BucketSslRequestsOnly`); an id
 * (`LR-S3-005`) is what synthesized JSON records in its suppressions, so ids never change. Rule files
 * give only the name (`name: 'S3BucketSslRequestsOnly'`), the registry adds the id from here, and
 * suppressions name a rule through this map:
 *
 * @example suppressRule(bucket, RULE.S3BucketAccessLogging, 'This bucket is the access-log target itself')
 */
export const RULE = {
  S3BucketPublicAccessBlocked: 'LR-S3-001',
  S3BucketDefaultEncryption: 'LR-S3-002',
  S3BucketKmsEncryption: 'LR-S3-003',
  S3BucketVersioningEnabled: 'LR-S3-004',
  S3BucketSslRequestsOnly: 'LR-S3-005',
  S3BucketAclsDisabled: 'LR-S3-006',
  S3BucketAbortsIncompleteUploads: 'LR-S3-007',
  S3BucketAccessLogging: 'LR-S3-008',
  S3BucketNoPublicAcls: 'LR-S3-009',

  IamActionsExist: 'LR-IAM-001',
  IamPolicyDocumentReadable: 'LR-IAM-002',
  IamNoWildcardActions: 'LR-IAM-003',
  IamNoWildcardResources: 'LR-IAM-004',
  IamWildcardResourceConditioned: 'LR-IAM-005',
  IamNoNegatedAllow: 'LR-IAM-006',
  IamNoManagedFullAccess: 'LR-IAM-007',
  IamNoManagedPolicies: 'LR-IAM-008',
  IamRoleTrustNotPublic: 'LR-IAM-009',
  IamRoleTrustsServicesOnly: 'LR-IAM-010',
  IamRoleTrustAssumeActionsOnly: 'LR-IAM-011',
  IamNoUserPolicies: 'LR-IAM-012',
  IamResourcePolicyNotPublic: 'LR-IAM-013',
  IamRoleHasPermissionsBoundary: 'LR-IAM-014',
  IamRoleFederatedTrustScoped: 'LR-IAM-015',

  KmsKeyRotationEnabled: 'LR-KMS-001',
  KmsKeyExplicitPolicy: 'LR-KMS-002',

  SecretsManagerCmkEncryption: 'LR-SM-001',
  SecretsManagerRotationEnabled: 'LR-SM-002',

  RedshiftNamespaceCmkEncryption: 'LR-RS-001',
  RedshiftNamespaceAuditLogsExported: 'LR-RS-002',
  RedshiftAdminPasswordManaged: 'LR-RS-003',
  RedshiftAdminUsernameNotDefault: 'LR-RS-004',
  RedshiftWorkgroupNotPublic: 'LR-RS-005',
  RedshiftWorkgroupSslRequired: 'LR-RS-006',
  RedshiftUserActivityLogging: 'LR-RS-007',
  RedshiftEnhancedVpcRouting: 'LR-RS-008',
  RedshiftWorkgroupInProjectVpc: 'LR-RS-009',
  RedshiftUsageLimitSet: 'LR-RS-010',
  RedshiftUsageLimitActsOnBreach: 'LR-RS-011',

  LambdaCurrentRuntime: 'LR-LMB-001',
  LambdaTracingActive: 'LR-LMB-002',
  LambdaReservedConcurrency: 'LR-LMB-003',
  LambdaNoSecretsInEnvironment: 'LR-LMB-004',
  LambdaEnvironmentCmkEncryption: 'LR-LMB-005',
  LambdaLogGroupManaged: 'LR-LMB-006',
  LambdaPermissionSourceArn: 'LR-LMB-007',
  LambdaPermissionNotPublic: 'LR-LMB-008',
  LambdaInsideVpc: 'LR-LMB-009',

  ApiGatewayCognitoAuthorizer: 'LR-APIGW-001',
  ApiGatewayRequestValidation: 'LR-APIGW-002',
  ApiGatewayStageAccessLogging: 'LR-APIGW-003',
  ApiGatewayStageTracing: 'LR-APIGW-004',
  ApiGatewayStageMetricsAndLogging: 'LR-APIGW-005',
  ApiGatewayNoDataTrace: 'LR-APIGW-006',
  ApiGatewayThrottling: 'LR-APIGW-007',
  ApiGatewayCacheEncrypted: 'LR-APIGW-008',
  ApiGatewayDeploymentCreateBeforeDestroy: 'LR-APIGW-009',
  ApiGatewayOAuthScopes: 'LR-APIGW-010',
  ApiGatewayFallbackResponseNoStatus: 'LR-APIGW-011',
  ApiGatewayResponseTemplateVariables: 'LR-APIGW-012',

  CognitoNoSelfSignUp: 'LR-COG-001',
  CognitoStrongPasswordPolicy: 'LR-COG-002',
  CognitoMfaRequired: 'LR-COG-003',
  CognitoDeletionProtection: 'LR-COG-004',
  CognitoThreatProtectionEnforced: 'LR-COG-005',
  CognitoClientHidesUserExistence: 'LR-COG-006',
  CognitoClientNoImplicitFlow: 'LR-COG-007',
  CognitoMachineClientHasSecret: 'LR-COG-008',
  CognitoClientNoPasswordAuth: 'LR-COG-009',

  WafWebAclHasRules: 'LR-WAF-001',
  WafManagedRuleGroups: 'LR-WAF-002',
  WafManagedRulesBlock: 'LR-WAF-003',
  WafRateBasedRule: 'LR-WAF-004',
  WafLoggingEnabled: 'LR-WAF-005',
  WafLogDestinationName: 'LR-WAF-006',
  WafLogsRedactAuthorization: 'LR-WAF-007',
  WafWebAclAssociated: 'LR-WAF-008',

  LogGroupRetention: 'LR-LOG-001',
  LogGroupCmkEncryption: 'LR-LOG-002',

  VpcFlowLogsEnabled: 'LR-VPC-001',
  VpcDefaultSecurityGroupClosed: 'LR-VPC-002',
  SecurityGroupDescribed: 'LR-VPC-003',
  SecurityGroupRulesDescribed: 'LR-VPC-004',
  SecurityGroupNoPublicIngress: 'LR-VPC-005',
  SubnetNoPublicIpOnLaunch: 'LR-VPC-006',
  FlowLogCapturesAllTraffic: 'LR-VPC-007',
  SecurityGroupNoUnrestrictedEgress: 'LR-VPC-008',
} as const;

/** A resource rule's name, e.g. `S3BucketSslRequestsOnly`. */
export type RuleName = keyof typeof RULE;
/** A resource rule's id, e.g. `LR-S3-005`. */
export type RuleId = (typeof RULE)[RuleName];

/** A rule file's definition with its id from `RULE`. */
export const withId = (definition: RuleDefinition): Rule => ({ ...definition, id: RULE[definition.name] });

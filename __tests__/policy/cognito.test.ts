/** The cognito rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { Construct } from 'constructs';
import { RuleId } from '../../policy/rule-ids';
import { cognitoRules } from '../../policy/rules/cognito';
import { findings, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function cognito(scope: Construct): Parts {
  const pool = new CognitoUserPool(scope, 'pool', {
    name: 'predict-users',
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    passwordPolicy: { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true },
    mfaConfiguration: 'ON',
    softwareTokenMfaConfiguration: { enabled: true },
    deletionProtection: 'ACTIVE',
    userPoolAddOns: { advancedSecurityMode: 'ENFORCED' },
  });
  const client = new CognitoUserPoolClient(scope, 'client', {
    name: 'partner-system',
    userPoolId: pool.id,
    generateSecret: true,
    allowedOauthFlows: ['client_credentials'],
    allowedOauthFlowsUserPoolClient: true,
    allowedOauthScopes: ['predict-api/predict'],
    explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    preventUserExistenceErrors: 'ENABLED',
  });
  return { pool, client };
}

const CASES: RuleCase[] = [
  {
    rule: 'LR-COG-001',
    violate: (p) => p.pool.addOverride('admin_create_user_config.allow_admin_create_user_only', false),
    at: 'aws_cognito_user_pool.pool',
  },
  { rule: 'LR-COG-002', violate: (p) => p.pool.addOverride('password_policy.require_symbols', false), at: 'aws_cognito_user_pool.pool' },
  { rule: 'LR-COG-003', violate: (p) => p.pool.addOverride('mfa_configuration', 'OPTIONAL'), at: 'aws_cognito_user_pool.pool' },
  { rule: 'LR-COG-004', violate: (p) => p.pool.addOverride('deletion_protection', 'INACTIVE'), at: 'aws_cognito_user_pool.pool' },
  {
    rule: 'LR-COG-005',
    violate: (p) => p.pool.addOverride('user_pool_add_ons.advanced_security_mode', 'AUDIT'),
    at: 'aws_cognito_user_pool.pool',
  },
  {
    rule: 'LR-COG-006',
    violate: (p) => p.client.addOverride('prevent_user_existence_errors', 'LEGACY'),
    at: 'aws_cognito_user_pool_client.client',
  },
  { rule: 'LR-COG-007', violate: (p) => p.client.addOverride('allowed_oauth_flows', ['implicit']), at: 'aws_cognito_user_pool_client.client' },
  { rule: 'LR-COG-008', violate: (p) => p.client.addOverride('generate_secret', false), at: 'aws_cognito_user_pool_client.client' },
  {
    rule: 'LR-COG-009',
    violate: (p) => p.client.addOverride('explicit_auth_flows', ['ALLOW_USER_PASSWORD_AUTH']),
    at: 'aws_cognito_user_pool_client.client',
  },
];

testRules('cognito', cognitoRules, cognito, CASES);

describe('the detail of each finding', () => {
  const POOL = 'aws_cognito_user_pool.pool';
  const failing = (rule: RuleId, change: (p: Parts) => void) => findings(cognitoRules, cognito, rule, change);
  const pool = (attribute: string, value: unknown) => (p: Parts) => p.pool.addOverride(attribute, value);

  test('LR-COG-001/005: one admin-only block and one enforcing add-on block are enough', () => {
    const adminOnly = [{ allow_admin_create_user_only: false }, { allow_admin_create_user_only: true }];
    expect(failing('LR-COG-001', pool('admin_create_user_config', adminOnly))).toEqual([]);
    const enforced = [{ advanced_security_mode: 'AUDIT' }, { advanced_security_mode: 'ENFORCED' }];
    expect(failing('LR-COG-005', pool('user_pool_add_ons', enforced))).toEqual([]);
  });

  test('LR-COG-002: no policy, and each weakness named; 8 characters are enough', () => {
    expect(failing('LR-COG-002', pool('password_policy', undefined))).toEqual([`${POOL}: no password_policy`]);
    expect(failing('LR-COG-002', pool('password_policy.minimum_length', 8))).toEqual([]);
    const weak = (p: Parts) => {
      p.pool.addOverride('password_policy.minimum_length', 7);
      p.pool.addOverride('password_policy.require_numbers', false);
    };
    expect(failing('LR-COG-002', weak)).toEqual([`${POOL}: weak password policy: require_numbers, minimum_length < 8`]);
  });

  test('LR-COG-003: MFA left unset is reported as OFF', () => {
    expect(failing('LR-COG-003', pool('mfa_configuration', undefined))).toEqual([`${POOL}: mfa_configuration is OFF`]);
  });
});

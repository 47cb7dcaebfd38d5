import { blocks, list } from '../graph';
import { RuleDefinition } from '../types';

const POOL = ['aws_cognito_user_pool'];
const CLIENT = ['aws_cognito_user_pool_client'];

export const cognitoRules: RuleDefinition[] = [
  {
    name: 'CognitoNoSelfSignUp',
    mirrors: [],
    severity: 'error',
    description: 'Cognito user pool has no self sign-up (only admins create users)',
    rationale: 'Anyone on the internet could register and get a token for the API',
    fix: 'set admin_create_user_config { allow_admin_create_user_only = true }',
    appliesTo: POOL,
    check: (pool) =>
      blocks(pool.body, 'admin_create_user_config').some((c) => c.allow_admin_create_user_only === true)
        ? undefined
        : 'anyone can sign up and get a token',
  },
  {
    name: 'CognitoStrongPasswordPolicy',
    mirrors: ['AwsSolutions-COG1'],
    severity: 'error',
    description: 'Cognito password policy: at least 8 characters with uppercase, numbers and symbols',
    rationale: 'Short or simple passwords fall to guessing and credential stuffing',
    fix: 'set password_policy { minimum_length >= 8, require_uppercase, require_numbers, require_symbols = true }',
    appliesTo: POOL,
    check(pool) {
      const policy = blocks(pool.body, 'password_policy')[0];
      if (!policy) return 'no password_policy';
      const weak = ['require_uppercase', 'require_numbers', 'require_symbols'].filter((key) => policy[key] !== true);
      if (Number(policy.minimum_length ?? 0) < 8) weak.push('minimum_length < 8');
      return weak.length > 0 ? `weak password policy: ${weak.join(', ')}` : undefined;
    },
  },
  {
    name: 'CognitoMfaRequired',
    mirrors: ['AwsSolutions-COG2'],
    severity: 'error',
    description: 'Cognito user pool requires MFA',
    rationale: 'A stolen password alone does not give access',
    fix: 'set mfa_configuration = "ON" with software_token_mfa_configuration { enabled = true }',
    appliesTo: POOL,
    check: (pool) => (pool.body.mfa_configuration === 'ON' ? undefined : `mfa_configuration is ${String(pool.body.mfa_configuration ?? 'OFF')}`),
  },
  {
    name: 'CognitoDeletionProtection',
    mirrors: [],
    severity: 'error',
    description: 'Cognito user pool has deletion protection',
    rationale: 'A mistaken delete would remove every user and their credentials with no way back',
    fix: 'set deletion_protection = "ACTIVE"',
    appliesTo: POOL,
    check: (pool) => (pool.body.deletion_protection === 'ACTIVE' ? undefined : 'deletion_protection is not ACTIVE'),
  },
  {
    name: 'CognitoThreatProtectionEnforced',
    mirrors: ['AwsSolutions-COG3'],
    severity: 'warning',
    description: 'Cognito user pool enforces threat protection (advanced security)',
    rationale: 'Sign-ins with leaked credentials or from risky sources are blocked, not only reported',
    fix: 'set user_pool_add_ons { advanced_security_mode = "ENFORCED" } (Plus feature plan)',
    appliesTo: POOL,
    check: (pool) =>
      blocks(pool.body, 'user_pool_add_ons').some((a) => a.advanced_security_mode === 'ENFORCED') ? undefined : 'advanced security is not ENFORCED',
  },
  {
    name: 'CognitoClientHidesUserExistence',
    mirrors: [],
    severity: 'error',
    description: 'Cognito app client hides whether a user exists',
    rationale: 'Sign-in errors cannot be used to find out which user names exist',
    fix: 'set prevent_user_existence_errors = "ENABLED"',
    appliesTo: CLIENT,
    check: (client) => (client.body.prevent_user_existence_errors === 'ENABLED' ? undefined : 'prevent_user_existence_errors is not ENABLED'),
  },
  {
    name: 'CognitoClientNoImplicitFlow',
    mirrors: [],
    severity: 'error',
    description: 'Cognito app client does not use the OAuth implicit flow (tokens in URLs)',
    rationale: 'The implicit flow returns tokens in the URL, where browser history, logs and referrers leak them',
    fix: 'use "code" (users) or "client_credentials" (machines) in allowed_oauth_flows',
    appliesTo: CLIENT,
    check: (client) => (list(client.body.allowed_oauth_flows).includes('implicit') ? 'allows the implicit flow' : undefined),
  },
  {
    name: 'CognitoMachineClientHasSecret',
    mirrors: [],
    severity: 'error',
    description: 'Cognito machine-to-machine client (client_credentials) has a client secret',
    rationale: 'Without a secret, anyone who knows the client id could get tokens',
    fix: 'set generate_secret = true',
    appliesTo: CLIENT,
    check: (client) =>
      list(client.body.allowed_oauth_flows).includes('client_credentials') && client.body.generate_secret !== true
        ? 'client_credentials without a client secret'
        : undefined,
  },
  {
    name: 'CognitoClientNoPasswordAuth',
    mirrors: [],
    severity: 'warning',
    description: 'Cognito app client does not send plain-text passwords (ALLOW_USER_PASSWORD_AUTH)',
    rationale: 'USER_PASSWORD_AUTH sends the password itself to Cognito; SRP proves it without sending it',
    fix: 'use ALLOW_USER_SRP_AUTH instead of ALLOW_USER_PASSWORD_AUTH in explicit_auth_flows',
    appliesTo: CLIENT,
    check: (client) =>
      list(client.body.explicit_auth_flows).includes('ALLOW_USER_PASSWORD_AUTH') ? 'allows ALLOW_USER_PASSWORD_AUTH' : undefined,
  },
];

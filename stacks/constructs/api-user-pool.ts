import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { Construct } from 'constructs';
import { PREDICT_METHOD, PREDICT_RESOURCE, PREDICT_SCOPE, fullScopeName } from '../../lambda-src/api-contract';
import { RULE, suppressRule } from '../../policy/suppress';
import { keepStackAddresses } from './stack-addresses';

/** Token lifetimes: one hour of access (a machine caches its token), 12 hours of refresh for people. */
const ACCESS_TOKEN_MINUTES = 60;
const REFRESH_TOKEN_HOURS = 12;

export interface ApiUserPoolProps {
  /** The project's name prefix: the pool, the clients and the domain are named after it. */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** Production: MFA required. */
  readonly prod: boolean;
  /** Cognito refuses to delete the pool while on (COGNITO_DELETION_PROTECTION: on in prod by default). */
  readonly deletionProtection: boolean;
  /** Where Cognito may send people back after sign-in. */
  readonly callbackUrls: readonly string[];
}

/**
 * Who may call the prediction API: a Cognito user pool where only administrators create accounts, a
 * resource server with the `predict` scope, a machine client (client credentials, with a secret) and a
 * people client (authorization code + PKCE, no secret), and the hosted domain that issues their tokens.
 */
export class ApiUserPool extends Construct {
  readonly userPool: CognitoUserPool;
  readonly machineClient: CognitoUserPoolClient;
  readonly peopleClient: CognitoUserPoolClient;
  /** `<resource server>/predict`: the scope a token needs to call the API. */
  readonly predictScope: string;
  /** The OAuth 2.0 token endpoint of the pool's domain. */
  readonly tokenEndpoint: string;
  /** Changes when the scope's resource server is replaced: the API must be redeployed then. */
  readonly resourceServerIdentifier: string;

  constructor(scope: Construct, id: string, props: ApiUserPoolProps) {
    super(scope, id);
    keepStackAddresses(this);
    const { name, prod } = props;
    this.userPool = new CognitoUserPool(this, 'user-pool', {
      name,
      // Only administrators create accounts; the original let anyone sign up and get a token.
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: prod ? 'ON' : 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      deletionProtection: props.deletionProtection ? 'ACTIVE' : 'INACTIVE',
    });
    if (!prod) {
      suppressRule(this.userPool, RULE.CognitoMfaRequired, 'Outside prod, MFA is OPTIONAL (TOTP) so test users can sign in quickly; ENVIRONMENT=prod makes it ON');
    }
    if (!props.deletionProtection) {
      suppressRule(
        this.userPool,
        RULE.CognitoDeletionProtection,
        prod
          ? 'COGNITO_DELETION_PROTECTION=false: deletion protection is turned off to tear the prod environment down (docs/operations.md)'
          : 'Outside prod the pool can be destroyed with the environment; ENVIRONMENT=prod turns deletion protection on',
      );
    }
    suppressRule(
      this.userPool,
      RULE.CognitoThreatProtectionEnforced,
      'Threat protection needs the Plus feature plan (billed per monthly active user) and does not cover the ' +
        'client-credentials machine client, the main caller; people sign in with MFA and a strong password',
    );

    // Domain prefixes are unique per region across all of AWS: the account id keeps ours from colliding.
    const domain = new CognitoUserPoolDomain(this, 'user-pool-domain', {
      domain: `${name}-${props.accountId}`,
      userPoolId: this.userPool.id,
    });
    this.tokenEndpoint = `https://${domain.domain}.auth.${props.region}.amazoncognito.com/oauth2/token`;

    const resourceServer = new CognitoResourceServer(this, 'resource-server', {
      userPoolId: this.userPool.id,
      identifier: `${name}-api`,
      name: `${name} prediction API`,
      scope: [{ scopeName: PREDICT_SCOPE, scopeDescription: `${PREDICT_METHOD} /${PREDICT_RESOURCE}: ask for predictions` }],
    });
    this.resourceServerIdentifier = resourceServer.identifier;
    this.predictScope = fullScopeName(resourceServer.identifier);

    const clientDefaults = {
      userPoolId: this.userPool.id,
      allowedOauthFlowsUserPoolClient: true,
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: ACCESS_TOKEN_MINUTES,
      idTokenValidity: ACCESS_TOKEN_MINUTES,
      refreshTokenValidity: REFRESH_TOKEN_HOURS,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'hours' }],
      supportedIdentityProviders: ['COGNITO'],
      // The scope exists only once the resource server does.
      dependsOn: [resourceServer],
    };
    this.machineClient = new CognitoUserPoolClient(this, 'machine-client', {
      ...clientDefaults,
      name: `${name}-machine`,
      generateSecret: true,
      allowedOauthFlows: ['client_credentials'],
      allowedOauthScopes: [this.predictScope],
      explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    // A public client (no secret): browsers and CLIs use the authorization code flow with PKCE.
    this.peopleClient = new CognitoUserPoolClient(this, 'people-client', {
      ...clientDefaults,
      name: `${name}-people`,
      generateSecret: false,
      allowedOauthFlows: ['code'],
      allowedOauthScopes: ['openid', 'email', this.predictScope],
      callbackUrls: [...props.callbackUrls],
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
  }
}

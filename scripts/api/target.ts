/**
 * Where `npm run token` and `npm run predict` send requests: a URL and a way to get an access token
 * for it. The deployed API gets its token from Cognito; another target (a local server and its
 * issuer) plugs in by providing the same two things.
 */
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ApiOutputs, userPoolRegion } from './outputs';

export interface PredictionTarget {
  /** What the commands say they called, e.g. the invoke URL. */
  readonly url: string;
  /** An access token with the predict scope. */
  token(): Promise<string>;
  /** What to do when `url` cannot be reached at all (a local server that is not running). */
  readonly whenUnreachable?: string;
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

const TOKEN_TIMEOUT_MS = 10_000;

/**
 * The deployed API: a client-credentials token for the machine client. Its secret is read from
 * Cognito with the operator's credentials (cognito-idp:DescribeUserPoolClient on the user pool) and
 * only ever sent to the token endpoint.
 */
export function cognitoTarget(
  outputs: ApiOutputs,
  createClient: (region: string) => CognitoIdentityProviderClient,
): PredictionTarget {
  return {
    url: outputs.invokeUrl,
    async token() {
      const client = createClient(userPoolRegion(outputs.userPoolId));
      let secret: string | undefined;
      try {
        const { UserPoolClient } = await client.send(
          new DescribeUserPoolClientCommand({ UserPoolId: outputs.userPoolId, ClientId: outputs.machineClientId }),
        );
        secret = UserPoolClient?.ClientSecret;
      } catch (error) {
        const { name, message } = error as Error;
        throw new TokenError(`cannot read the machine client's secret from Cognito (${name}: ${message})`);
      }
      if (!secret) throw new TokenError(`the app client ${outputs.machineClientId} has no secret: re-deploy the api stack`);
      return clientCredentialsToken(outputs.tokenEndpoint, outputs.machineClientId, secret, outputs.predictScope);
    },
  };
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 section 4.4) against Cognito's token endpoint
 * ("The token issuer endpoint", Amazon Cognito Developer Guide): HTTP Basic client authentication,
 * form-encoded grant_type and scope; the answer's access_token.
 */
export async function clientCredentialsToken(endpoint: string, clientId: string, secret: string, scope: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TokenError(`cannot reach the token endpoint ${endpoint}: ${describeFetchError(error)}`);
  }
  const text = await response.text();
  let body: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below with the status
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason = typeof body.error === 'string' ? `${body.error}${body.error_description ? `: ${String(body.error_description)}` : ''}` : text.slice(0, 200);
    throw new TokenError(`the token endpoint answered ${response.status}: ${reason}`);
  }
  return body.access_token;
}

/** fetch wraps network failures as "fetch failed"; the cause says what happened (ECONNREFUSED, ENOTFOUND, a timeout). */
export function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

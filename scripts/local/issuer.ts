/**
 * The local stand-in for the Cognito user pool: an RS256 key pair that signs access tokens shaped like
 * Cognito's (`token_use: access`, space-separated `scope`, `client_id`), and the check API Gateway's
 * Cognito authorizer makes: signature against the issuer's JWKS, algorithm, issuer, expiry, and the
 * method's OAuth scope. The key pair lives in the cache folder, so `npm run token -- --local` and the
 * running server (separate processes) agree on it.
 *
 * Cognito access token claims: "Understanding the access token", Amazon Cognito Developer Guide
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html).
 * A method with authorization scopes accepts only an access token carrying one of them ("Integrate a
 * REST API with an Amazon Cognito user pool", API Gateway Developer Guide).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, JWK, jwtVerify, SignJWT } from 'jose';
import * as path from 'path';
import { fullScopeName } from '../../lambda-src/api-contract';
import { LOCAL_DIR } from './paths';

/** The resource server identifier of the local API (Cognito's is set by the api stack). */
export const LOCAL_RESOURCE_SERVER = 'loan-remediation-local';
/** The scope `POST /loan` requires. */
export const LOCAL_SCOPE = fullScopeName(LOCAL_RESOURCE_SERVER);
/** The `iss` of every local token. */
export const LOCAL_ISSUER = 'urn:loan-remediation:local-issuer';
export const LOCAL_CLIENT_ID = 'local-client';
const ALGORITHM = 'RS256';
/**
 * API Gateway caches an authorizer's result for `authorizerResultTtlInSeconds`, 300 s unless set
 * (API Gateway API Reference, Authorizer); so does the local one, never past the token's expiry.
 */
const AUTHORIZER_CACHE_SECONDS = 300;
const AUTHORIZER_CACHE_ENTRIES = 1000;
/** Cognito's default access token validity. */
const DEFAULT_TOKEN_SECONDS = 3600;

interface KeyFile {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const keyFilePath = (cacheDir: string) => path.join(cacheDir, 'issuer-key.json');

/**
 * Reads the issuer's key pair, creating it on first use. The new key is written whole to a file of its
 * own and then linked into place, which fails if the file exists: two processes cannot race, and
 * neither reads a half-written key.
 */
async function issuerKeys(cacheDir: string): Promise<KeyFile> {
  const file = keyFilePath(cacheDir);
  if (!fs.existsSync(file)) {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const kid = randomUUID();
    const keys: KeyFile = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
    };
    fs.mkdirSync(cacheDir, { recursive: true });
    const written = `${file}.${kid}`;
    fs.writeFileSync(written, JSON.stringify(keys), { flag: 'wx', mode: 0o600 });
    try {
      fs.linkSync(written, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(written, { force: true });
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
}

export interface LocalTokenOptions {
  /** Default: the scope `POST /loan` needs. */
  readonly scopes?: readonly string[];
  readonly expiresInSeconds?: number;
  readonly cacheDir?: string;
}

/** A valid access token from the local issuer, for `Authorization: Bearer <token>`. */
export async function localToken(options: LocalTokenOptions = {}): Promise<string> {
  const { privateJwk } = await issuerKeys(options.cacheDir ?? LOCAL_DIR);
  const key = await importJWK(privateJwk, ALGORITHM);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'access',
    scope: (options.scopes ?? [LOCAL_SCOPE]).join(' '),
    client_id: LOCAL_CLIENT_ID,
  })
    .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(LOCAL_CLIENT_ID)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? DEFAULT_TOKEN_SECONDS))
    .sign(key);
}

/** The issuer's public keys, as Cognito publishes them at `/.well-known/jwks.json`. */
export async function localJwks(cacheDir: string = LOCAL_DIR): Promise<{ keys: JWK[] }> {
  return { keys: [(await issuerKeys(cacheDir)).publicJwk] };
}

export type TokenCheck = { readonly ok: true; readonly claims: Record<string, unknown> } | { readonly ok: false; readonly reason: 'invalid' | 'scope' };

/** The authorizer: checks `Authorization: Bearer <jwt>` the way API Gateway's Cognito authorizer does. */
export async function createTokenVerifier(cacheDir: string = LOCAL_DIR): Promise<(authorization: string | undefined) => Promise<TokenCheck>> {
  const jwks = createLocalJWKSet(await localJwks(cacheDir));
  const cache = new Map<string, { check: TokenCheck; until: number }>();
  return async (authorization) => {
    // Cognito authorizers take the token with or without the Bearer scheme.
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return { ok: false, reason: 'invalid' };
    const cached = cache.get(token);
    if (cached && Date.now() < cached.until) return cached.check;
    const check = await verify(token);
    if (check.ok) {
      if (cache.size >= AUTHORIZER_CACHE_ENTRIES) cache.clear();
      const expiresAt = typeof check.claims.exp === 'number' ? check.claims.exp * 1000 : 0;
      cache.set(token, { check, until: Math.min(Date.now() + AUTHORIZER_CACHE_SECONDS * 1000, expiresAt) });
    }
    return check;
  };

  async function verify(token: string): Promise<TokenCheck> {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, { issuer: LOCAL_ISSUER, algorithms: [ALGORITHM] }));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (claims.token_use !== 'access' || !scopes.includes(LOCAL_SCOPE)) return { ok: false, reason: 'scope' };
    return { ok: true, claims };
  }
}

/**
 * Whether the AWS SDK's default credential chain (environment, AWS_PROFILE and the shared files, SSO,
 * a container or instance role) finds credentials, checked before a command starts work that needs
 * them, so a missing login is one line instead of a tool's stack of errors seconds later.
 */
import { STSClient } from '@aws-sdk/client-sts';

export const NO_CREDENTIALS =
  'no AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
export const EXPIRED_CREDENTIALS = 'the AWS credentials have expired: sign in again (`aws sso login`) or refresh them';

/** The chain found nothing (CredentialsProviderError), or what it found has expired. */
export function credentialsProblem(error: unknown): string | undefined {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') return NO_CREDENTIALS;
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired)$/.test(name)) return EXPIRED_CREDENTIALS;
  return undefined;
}

/** Resolves credentials the way every SDK client would; throws one line when there are none. */
export async function requireAwsCredentials(region: string): Promise<void> {
  try {
    await new STSClient({ region }).config.credentials();
  } catch (error) {
    const problem = credentialsProblem(error);
    throw problem === undefined ? error : new Error(problem);
  }
}

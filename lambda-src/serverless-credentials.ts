/**
 * Temporary database credentials for the direct transport: redshift-serverless:GetCredentials for the
 * workgroup ("GetCredentials", Amazon Redshift Serverless API Reference: durationSeconds 900-3600,
 * returns dbUser, dbPassword and expiration). The user is the one the Data API logs in as for the same
 * role, `IAMR:<role name>`, so `npm run warehouse:setup` grants both transports at once.
 */
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { CredentialSource } from './postgres-warehouse';

/** The longest GetCredentials allows: one call per warm environment and hour. */
export const CREDENTIAL_DURATION_SECONDS = 3600;

export function serverlessCredentials(options: {
  readonly client: RedshiftServerlessClient;
  readonly workgroupName: string;
  readonly database: string;
}): CredentialSource {
  return async (abortSignal) => {
    const { dbUser, dbPassword, expiration } = await options.client.send(
      new GetCredentialsCommand({
        workgroupName: options.workgroupName,
        dbName: options.database,
        durationSeconds: CREDENTIAL_DURATION_SECONDS,
      }),
      { abortSignal },
    );
    if (!dbUser || !dbPassword || !expiration) throw new Error('GetCredentials returned no user, password or expiration');
    return { user: dbUser, password: dbPassword, expiresAt: expiration.getTime() };
  };
}

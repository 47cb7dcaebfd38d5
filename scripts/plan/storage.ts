/**
 * Where saved plans live between the plan job and the deploy job. A saved plan holds values in clear
 * text (the prior state is inside it, with secrets such as the Cognito machine client's), so it never
 * goes to a GitHub artifact: it goes to the state bucket under `plans/<project>/<environment>/<commit>/`,
 * encrypted with the state's KMS key, and the artifact holds only file names and SHA-256 hashes. Deploy
 * downloads the files and refuses any whose hash differs from the reviewed run's (every pull request's
 * plan job may write under its environment's `plans/<project>/<environment>/`, so another pull
 * request could overwrite them).
 *
 * The prefix comes from the account stack's IAM policies (stacks/deployer/ci-access.ts): the plan role
 * may put and get objects only under `PLANS_KEY_PREFIX<project>/<environment>/` of its own
 * environment, never a state key.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PLANS_KEY_PREFIX } from '../../stacks/deployer/ci-access';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { META_FILE, readMeta } from './meta';
import { PlanInputError } from './plan-json';

/** Every saved plan's key starts with PLANS_KEY_PREFIX; state keys never do (`<project>/<environment>/<stack>.tfstate`). */
export { PLANS_KEY_PREFIX };

const COMMIT = /^[0-9a-f]{40}$/;

/** The folder of one planned commit: `plans/<project>/<environment>/<commit>/`, `.../replan/` for deploy's new plans. */
export function planPrefix(project: string, environment: string, commit: string, replan = false): string {
  if (!COMMIT.test(commit)) throw new PlanInputError(`"${commit}" is not a full commit SHA`);
  return `${PLANS_KEY_PREFIX}${project}/${environment}/${commit}/${replan ? 'replan/' : ''}`;
}

/** The plan files deploy needs: saved plans, their JSON (to compare new plans with), and meta.json. */
export const isStoredFile = (name: string): boolean =>
  name === META_FILE || (/^[A-Za-z0-9_-]+\.(tfplan|json)$/.test(name) && name !== 'summary.json');

export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
}

export const sha256 = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/**
 * The state bucket as an ObjectStore. PutObject with `ServerSideEncryption: aws:kms` and the key's ARN
 * ("PutObject", Amazon S3 API Reference: x-amz-server-side-encryption and
 * x-amz-server-side-encryption-aws-kms-key-id), and the SHA-256 checksum, which S3 verifies on upload.
 */
export function s3Store(client: S3Client, bucket: string, kmsKeyArn: string): ObjectStore {
  return {
    async put(key, body) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: kmsKeyArn,
          ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
        }),
      );
    },
    async get(key) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return Buffer.from(await response.Body.transformToByteArray());
    },
  };
}

/** What the GitHub artifact holds: where the files are and their hashes, never their content. */
export interface PlanManifest {
  readonly prefix: string;
  readonly files: readonly { readonly name: string; readonly sha256: string }[];
}

/** Uploads a plan folder's stored files under `prefix`; returns the manifest for the artifact. */
export async function pushPlans(dir: string, store: ObjectStore, prefix: string): Promise<PlanManifest> {
  readMeta(dir); // a folder written by npm run plan, or refuse
  const names = fs.readdirSync(dir).filter(isStoredFile).sort();
  const files = [];
  for (const name of names) {
    const body = fs.readFileSync(path.join(dir, name));
    await store.put(`${prefix}${name}`, body);
    files.push({ name, sha256: sha256(body) });
  }
  return { prefix, files };
}

/**
 * Downloads the manifest's files into `dir`, refusing (before writing anything) any whose SHA-256
 * differs from the manifest: those are not the plans that were reviewed.
 */
export async function pullPlans(manifest: PlanManifest, store: ObjectStore, dir: string): Promise<void> {
  if (!manifest.prefix.startsWith(PLANS_KEY_PREFIX) || !Array.isArray(manifest.files)) {
    throw new PlanInputError(`the manifest does not name a folder under ${PLANS_KEY_PREFIX}`);
  }
  const bodies = new Map<string, Buffer>();
  for (const { name, sha256: expected } of manifest.files) {
    if (!isStoredFile(name))
      throw new PlanInputError(`the manifest names ${JSON.stringify(name)}, which is not a plan file`);
    const body = await store.get(`${manifest.prefix}${name}`);
    if (sha256(body) !== expected) {
      throw new PlanInputError(
        `${manifest.prefix}${name} is not the reviewed file (SHA-256 ${sha256(
          body,
        )}, reviewed ${expected}): refusing to apply it`,
      );
    }
    bodies.set(name, body);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of bodies) fs.writeFileSync(path.join(dir, name), body);
}

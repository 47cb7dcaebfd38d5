/**
 * Saved plans go to the state bucket encrypted with the state key, and the GitHub artifact holds only
 * names and hashes (scripts/plan/storage.ts, npm run plan:store): against an S3 client mocked with
 * aws-sdk-client-mock that keeps the objects in memory.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { storeMain } from '../scripts/plan/store-command';
import { PLANS_KEY_PREFIX, isStoredFile, planPrefix, pullPlans, pushPlans, s3Store } from '../scripts/plan/storage';

const COMMIT = 'c0ffee'.padEnd(40, '0');
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0b5c1e2a-1111-2222-3333-444455556666';
const env = { STATE_BUCKET: 'lr-state-bucket', STATE_KMS_KEY_ARN: KEY_ARN, AWS_REGION: 'us-east-1' };
const prefix = `plans/loan-remediation/dev/${COMMIT}/`;

const s3 = mockClient(S3Client);
const objects = new Map<string, Buffer>();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-storage-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

beforeEach(() => {
  s3.reset();
  objects.clear();
  s3.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, Buffer.from(input.Body as Buffer));
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const body = objects.get(input.Key);
    if (!body) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: sdkStreamMixin(Readable.from([body])) };
  });
});

/** A plan folder as npm run plan writes it. */
function planFolder(): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'plans-'));
  const files: Record<string, string> = {
    'network.tfplan': 'PK\u0003\u0004 binary plan with a secret: client_secret=s3cr3t',
    'network.json': '{"format_version":"1.2"}',
    'network.txt': 'Terraform will perform the following actions:',
    'redshift.tfplan': 'PK\u0003\u0004 another plan',
    'redshift.json': '{"format_version":"1.2","errored":false}',
    'redshift.diagnostics.txt': 'Warning: something',
    'meta.json': JSON.stringify({
      commit: COMMIT,
      tree: 't'.repeat(40),
      dirty: false,
      stacks: ['network', 'redshift'],
    }),
    'report.md': '## Terraform plan',
    'report-full.md': '## Terraform plan',
    'summary.json': '{"stacks":[]}',
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

test('the key layout: one folder per project, environment and commit, never a state key', () => {
  expect(planPrefix('loan-remediation', 'dev', COMMIT)).toBe(prefix);
  expect(planPrefix('loan-remediation', 'prod', COMMIT, true)).toBe(`plans/loan-remediation/prod/${COMMIT}/replan/`);
  expect(PLANS_KEY_PREFIX).toBe('plans/');
  expect(() => planPrefix('loan-remediation', 'dev', 'main')).toThrow('"main" is not a full commit SHA');
  expect(['network.tfplan', 'network.json', 'meta.json'].every(isStoredFile)).toBe(true);
  expect(['network.txt', 'network.diagnostics.txt', 'report.md', 'summary.json', '../x.json'].some(isStoredFile)).toBe(
    false,
  );
});

test('push uploads saved plans, plan JSON and meta.json with SSE-KMS under the state key; the manifest holds only names and hashes', async () => {
  const dir = planFolder();
  const manifest = await pushPlans(
    dir,
    s3Store(new S3Client({ region: 'us-east-1' }), 'lr-state-bucket', KEY_ARN),
    prefix,
  );
  const names = ['meta.json', 'network.json', 'network.tfplan', 'redshift.json', 'redshift.tfplan'];
  expect(manifest).toEqual({
    prefix,
    files: names.map((name) => ({ name, sha256: sha(fs.readFileSync(path.join(dir, name))) })),
  });
  expect(JSON.stringify(manifest)).not.toContain('s3cr3t');
  expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, names.length);
  expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
    Bucket: 'lr-state-bucket',
    Key: `${prefix}network.tfplan`,
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: KEY_ARN,
    ChecksumSHA256: createHash('sha256')
      .update(fs.readFileSync(path.join(dir, 'network.tfplan')))
      .digest('base64'),
  });
  expect([...objects.keys()].every((key) => key.startsWith(prefix))).toBe(true);
});

test('pull writes the files when every hash matches, and refuses a swapped file before writing anything', async () => {
  const store = s3Store(new S3Client({ region: 'us-east-1' }), 'lr-state-bucket', KEY_ARN);
  const manifest = await pushPlans(planFolder(), store, prefix);
  const target = path.join(scratch, 'pulled');
  await pullPlans(manifest, store, target);
  expect(fs.readdirSync(target).sort()).toEqual(manifest.files.map((f) => f.name));
  expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'lr-state-bucket', Key: `${prefix}network.tfplan` });

  objects.set(`${prefix}redshift.tfplan`, Buffer.from('PK another pull request wrote this'));
  const refused = path.join(scratch, 'refused');
  await expect(pullPlans(manifest, store, refused)).rejects.toThrow(
    `${prefix}redshift.tfplan is not the reviewed file (SHA-256 ${sha(
      'PK another pull request wrote this',
    )}, reviewed ${manifest.files.find((f) => f.name === 'redshift.tfplan')!.sha256}): refusing to apply it`,
  );
  expect(fs.existsSync(refused)).toBe(false);
  await expect(pullPlans({ ...manifest, prefix: 'loan-remediation/dev/' }, store, refused)).rejects.toThrow(
    'the manifest does not name a folder under plans/',
  );
  await expect(
    pullPlans({ prefix, files: [{ name: '../../loan-remediation/dev/network.tfstate', sha256: 'x' }] }, store, refused),
  ).rejects.toThrow('which is not a plan file');
});

describe('npm run plan:store', () => {
  async function run(argv: string[], environment: NodeJS.ProcessEnv = env) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await storeMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) }, environment);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  test('push then pull round-trips a plan folder through the bucket', async () => {
    const manifestFile = path.join(scratch, 'plan-manifest.json');
    const pushed = await run(['push', '--plans', planFolder(), '--manifest', manifestFile]);
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(pushed.stdout).toBe(`Stored 5 file(s) in s3://lr-state-bucket/${prefix} (SSE-KMS); wrote ${manifestFile}`);
    const target = path.join(scratch, 'cli-pulled');
    const pulled = await run(['pull', '--manifest', manifestFile, '--plans', target, '--expect-commit', COMMIT]);
    expect(pulled).toMatchObject({ code: 0, stderr: '' });
    expect(pulled.stdout).toContain('every SHA-256 matches');
    const other = await run(['pull', '--manifest', manifestFile, '--plans', target, '--expect-commit', 'f'.repeat(40)]);
    expect(other).toMatchObject({
      code: 1,
      stderr: `error: the plans are of commit ${COMMIT}, not the reviewed ${'f'.repeat(40)}`,
    });
  });

  test('deploy’s new plans go to the replan folder of the commit', async () => {
    await run(['push', '--plans', planFolder(), '--manifest', path.join(scratch, 'replan-manifest.json'), '--replan']);
    expect([...objects.keys()].every((key) => key.startsWith(`${prefix}replan/`))).toBe(true);
  });

  test('without the state bucket and its key, nothing is stored: one line, exit 1', async () => {
    const result = await run(['push', '--plans', planFolder(), '--manifest', path.join(scratch, 'm.json')], { AWS_REGION: 'us-east-1' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: STATE_BUCKET and STATE_KMS_KEY_ARN must be set in settings/dev.env: saved plans are kept encrypted in the state bucket',
    });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });

  test('bad usage exits 2 with the usage', async () => {
    for (const argv of [[], ['upload'], ['push', '--plans', 'x'], ['pull', '--bogus']]) {
      const result = await run(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: npm run plan:store');
    }
  });
});

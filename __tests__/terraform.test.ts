/**
 * Offline verification of every synthesized stack against the real AWS provider schema
 * (hashicorp/aws 5.100.0): `terraform validate`, a mocked apply with `terraform test`, and an offline
 * `terraform plan` of the network stack. Needs Terraform on PATH; never skips.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import {
  AWS_PROVIDER,
  TERRAFORM_MISSING,
  addTestFiles,
  offlinePlan,
  stackTestFile,
  terraform,
  terraformVersion,
  writeCliConfig,
} from '../scripts/lib/terraform';
import { synthWaf } from './helpers/waf-synth';

jest.setTimeout(180_000);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-verify-'));
const app = new App({ outdir });
// The account stack's settings (the other stacks keep their defaults but the S3 backend, which
// `init -backend=false` and the mocked applies do not use; the offline plan overrides it).
const stacks = buildStacks(
  app,
  loadConfig({
    CI_REPOSITORY: 'example-org/loan-remediation',
    STATE_BUCKET: 'loan-remediation-dev-tfstate-20260101',
    // A key id of the UUID form AWS issues (the S3 backend checks it).
    STATE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-44cd-a6ef-1234567890ab',
  }),
);
app.synth();
const stackDirs: Record<string, string> = Object.fromEntries(
  Object.values(stacks).map((stack) => [stack.stackName, path.join(outdir, 'stacks', stack.stackName)]),
);
const stackNames = Object.keys(stackDirs);
const stackDir = (stack: string) => stackDirs[stack];
const synthesizedResources = (stack: string): string[] => {
  const json = JSON.parse(fs.readFileSync(path.join(stackDir(stack), 'cdk.tf.json'), 'utf8')) as {
    resource: Record<string, Record<string, unknown>>;
  };
  return Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
};

beforeAll(() => {
  if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
  writeCliConfig();
});

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

describe.each(stackNames)('%s stack', (stack) => {
  test(`terraform validate passes against ${AWS_PROVIDER.source} ${AWS_PROVIDER.version}`, () => {
    terraform(stackDir(stack), ['init', '-backend=false', '-input=false']);
    expect(terraform(stackDir(stack), ['validate']).output).toContain('The configuration is valid');
  });

  test('terraform test: mocked apply passes its assertions', () => {
    expect(fs.existsSync(stackTestFile(stack))).toBe(true);
    addTestFiles(stackDir(stack), stack);
    const { output } = terraform(stackDir(stack), ['test']);
    expect(output).toMatch(/Success! [1-9]\d* passed, 0 failed/);
  });
});

test('waf with every opt-in rule on (countries, Bot Control, all requests logged, a hosting-provider allow-list): terraform validate passes', () => {
  const optIn = synthWaf(
    { WAF_ALLOWED_COUNTRIES: 'DE,FR', WAF_BOT_CONTROL: 'true', WAF_LOG_SCOPE: 'all', WAF_HOSTING_PROVIDER_ALLOW_LIST: '203.0.113.0/24,2001:db8::/32' },
    fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-verify-waf-opt-in-')),
  );
  try {
    terraform(optIn.stackDir, ['init', '-backend=false', '-input=false']);
    expect(terraform(optIn.stackDir, ['validate']).output).toContain('The configuration is valid');
  } finally {
    fs.rmSync(optIn.outdir, { recursive: true, force: true });
  }
});

test('WAREHOUSE_TRANSPORT=postgres (the Lambda security group upstream, the GetCredentials endpoint): network and api validate', () => {
  const postgresOutdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-verify-postgres-'));
  try {
    const postgresApp = new App({ outdir: postgresOutdir });
    buildStacks(postgresApp, loadConfig({ WAREHOUSE_TRANSPORT: 'postgres' }));
    postgresApp.synth();
    for (const stack of ['network', 'api']) {
      const dir = path.join(postgresOutdir, 'stacks', stack);
      terraform(dir, ['init', '-backend=false', '-input=false']);
      expect(terraform(dir, ['validate']).output).toContain('The configuration is valid');
    }
  } finally {
    fs.rmSync(postgresOutdir, { recursive: true, force: true });
  }
});

test(`network: offline terraform plan with dummy credentials plans all ${synthesizedResources('network').length} resources`, () => {
  const { summary, plannedAddresses } = offlinePlan(stackDir('network'));
  expect(plannedAddresses.sort()).toEqual(synthesizedResources('network').sort());
  expect(summary).toBe(`Plan: ${plannedAddresses.length} to add, 0 to change, 0 to destroy.`);
});

/**
 * `npm run plan`'s refusals, with the real synth: local state in CI, unknown stacks. Planning itself,
 * end to end and offline, is tested in plan-end-to-end.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planMain, stacksToPlan, synthesize } from '../scripts/plan/plan-command';
import { NO_CREDENTIALS } from '../scripts/lib/aws-credentials';
import { TERRAFORM_MISSING, terraformVersion, writeCliConfig } from '../scripts/lib/terraform';

jest.setTimeout(240_000);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-command-'));
const synthDir = path.join(scratch, 'cdktf.out');
const savedEnv = { CDKTF_OUTDIR: process.env.CDKTF_OUTDIR, CI: process.env.CI };

beforeAll(() => {
  if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
  writeCliConfig();
  process.env.CDKTF_OUTDIR = synthDir;
});
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // The refusals come before any AWS call: no credentials needed.
  const code = await planMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) }, synthesize, async () => undefined);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('in CI, a stack that would use local state is refused with one line', async () => {
  process.env.CI = 'true';
  const result = await run('--stacks', 'network');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    'error: network keep local state, which a CI runner does not have: set STATE_BUCKET and STATE_KMS_KEY_ARN in settings/dev.env (docs/plan-review.md)',
  );
});

test('the state and account stacks are planned only when named; unknown stacks are a usage error', async () => {
  expect(stacksToPlan(['state', 'account', 'network', 'redshift'], undefined)).toEqual(['network', 'redshift']);
  expect(stacksToPlan(['state', 'account', 'network', 'redshift'], ['state'])).toEqual(['state']);
  expect(stacksToPlan(['state', 'account', 'network', 'redshift'], ['account', 'network'])).toEqual(['account', 'network']);
  delete process.env.CI;
  const result = await run('--stacks', 'network,nope');
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown stack(s) nope');
});

test('without AWS credentials: one line before any synth or Terraform run', async () => {
  const saved = { ...process.env };
  // No credentials anywhere the SDK's chain looks (environment, profile files, container, instance).
  for (const name of Object.keys(process.env)) if (/^AWS_/.test(name)) delete process.env[name];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const synth = jest.fn();
  const err: string[] = [];
  try {
    const code = await planMain(['--stacks', 'network'], { print: () => undefined, printError: (t) => err.push(t) }, synth);
    expect(code).toBe(1);
  } finally {
    process.env = saved;
  }
  expect(err).toEqual([`error: ${NO_CREDENTIALS}`]);
  expect(synth).not.toHaveBeenCalled();
});

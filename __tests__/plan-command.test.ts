/**
 * `npm run plan`'s refusals, with the real synth: local state in CI, unknown stacks. Planning itself,
 * end to end and offline, is tested in plan-end-to-end.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCAL_ONLY_STACK, planMain, stacksToPlan, synthesize } from '../scripts/plan/plan-command';
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
  const code = await planMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) }, synthesize);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('in CI, a stack that would use local state is refused with one line', async () => {
  process.env.CI = 'true';
  const result = await run('--stacks', 'network');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    'error: network keep local state, which a CI runner does not have: set STATE_BUCKET and STATE_KMS_KEY_ARN (docs/plan-review.md)',
  );
});

test('the state stack is planned only when named; unknown stacks are a usage error', async () => {
  expect(stacksToPlan(['state', 'network', 'redshift'], undefined)).toEqual(['network', 'redshift']);
  expect(stacksToPlan(['state', 'network', 'redshift'], [LOCAL_ONLY_STACK])).toEqual(['state']);
  delete process.env.CI;
  const result = await run('--stacks', 'network,nope');
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown stack(s) nope');
});

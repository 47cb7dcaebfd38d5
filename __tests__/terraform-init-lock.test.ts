/**
 * Concurrent `terraform init` runs that share one plugin cache (as parallel jest workers, or a test and
 * `npm run plan`, share `.terraform-cli/`) all succeed. Without the lock in scripts/lib/terraform.ts,
 * inits that fill an empty cache at the same moment fail now and then with "failed to create directory
 * ...: file exists" or "it is still not detected in .terraform/providers" (hashicorp/terraform#31964).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AWS_PROVIDER, TERRAFORM_MISSING, initLockFile, terraform, terraformEnv, terraformVersion, writeCliConfig } from '../scripts/lib/terraform';
import { CHILD_PROCESS_LIMIT, runChild } from './helpers/child-process';

const ROOT = path.join(__dirname, '..');
const ROUNDS = 2;
const REQUIRES_AWS = JSON.stringify({
  terraform: { required_providers: { aws: { source: AWS_PROVIDER.source, version: AWS_PROVIDER.version } } },
});

let scratch: string;
beforeAll(() => {
  if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-init-lock-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('processes running terraform init at the same time into one empty plugin cache all succeed', async () => {
  const runners = CHILD_PROCESS_LIMIT;
  // One CLI configuration (and so one empty plugin cache) per round, shared by every process.
  const configs = Array.from({ length: ROUNDS }, (_, round) => writeCliConfig(undefined, path.join(scratch, `cli-${round}`)));
  const workDir = (runner: number, round: number) => path.join(scratch, `runner-${runner}`, `round-${round}`);
  for (let runner = 0; runner < runners; runner++) {
    for (let round = 0; round < ROUNDS; round++) {
      fs.mkdirSync(workDir(runner, round), { recursive: true });
      fs.writeFileSync(path.join(workDir(runner, round), 'main.tf.json'), REQUIRES_AWS);
    }
  }
  // A failed init is reported at the end: the other processes still find this one at every start line.
  const child = (runner: number) => `const { terraform } = require('./scripts/lib/terraform.ts');
    const { waitAtStartLine } = require('./__tests__/helpers/start-line.ts');
    const configs = ${JSON.stringify(configs)};
    const failures = [];
    for (let round = 0; round < configs.length; round++) {
      waitAtStartLine(${JSON.stringify(path.join(scratch, 'start'))} + '-' + round, ${runners});
      try {
        terraform(${JSON.stringify(path.join(scratch, `runner-${runner}`))} + '/round-' + round, ['init', '-backend=false', '-input=false'], { TF_CLI_CONFIG_FILE: configs[round] });
      } catch (error) {
        failures.push(error.message);
      }
    }
    process.stderr.write(failures.join('\\n'));
    process.exitCode = failures.length;`;
  const runs = await Promise.all(
    Array.from({ length: runners }, (_, runner) =>
      runChild(process.execPath, ['--import', 'tsx', '-e', child(runner)], { cwd: ROOT, timeoutMs: 150_000 }),
    ),
  );
  expect(runs.map((run) => run.stderr)).toEqual(Array(runners).fill(''));
  expect(runs.map((run) => run.code)).toEqual(Array(runners).fill(0));
  for (let runner = 0; runner < runners; runner++) {
    for (let round = 0; round < ROUNDS; round++) {
      const installed = path.join(workDir(runner, round), '.terraform', 'providers', AWS_PROVIDER.source, AWS_PROVIDER.version);
      const [platform] = fs.readdirSync(installed);
      expect(fs.readdirSync(path.join(installed, platform)).filter((file) => file.startsWith('terraform-provider-aws'))).toHaveLength(1);
    }
  }
  expect(configs.map((config) => fs.readdirSync(path.dirname(config)).sort())).toEqual(Array(ROUNDS).fill(['plugin-cache', 'terraformrc']));
}, 180_000);

test('init takes the lock beside its CLI configuration (a lock left by a dead process is broken, then released)', () => {
  const config = writeCliConfig(undefined, path.join(scratch, 'cli-stale'));
  const dir = path.join(scratch, 'stale');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'main.tf.json'), REQUIRES_AWS);
  const lock = initLockFile(config);
  const deadProcess = String(spawnSync(process.execPath, ['-e', '']).pid);

  fs.writeFileSync(lock, deadProcess);
  terraform(dir, ['validate'], { TF_CLI_CONFIG_FILE: config }, [0, 1]);
  expect(fs.readFileSync(lock, 'utf8')).toBe(deadProcess); // only init takes it

  terraform(dir, ['init', '-backend=false', '-input=false'], { TF_CLI_CONFIG_FILE: config });
  expect(fs.existsSync(lock)).toBe(false);
});

test('a plugin cache named in the environment (TF_PLUGIN_CACHE_DIR) does not reach the project\'s runs: its lock would not guard it', () => {
  const saved = process.env.TF_PLUGIN_CACHE_DIR;
  process.env.TF_PLUGIN_CACHE_DIR = path.join(scratch, 'global-cache');
  try {
    expect(terraformEnv()).not.toHaveProperty('TF_PLUGIN_CACHE_DIR', expect.anything());
  } finally {
    if (saved === undefined) delete process.env.TF_PLUGIN_CACHE_DIR;
    else process.env.TF_PLUGIN_CACHE_DIR = saved;
  }
});

/**
 * Runs Terraform for the project's own checks (validate, test, offline plan) with a project-local
 * CLI configuration, never the user's global one. When a provider mirror exists (named by
 * TF_PLUGIN_MIRROR or found in the usual places), providers come from it, so everything works
 * offline; otherwise Terraform uses the public registry.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withFileLock } from './file-lock';

export const AWS_PROVIDER = { source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' } as const;

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const CLI_DIR = path.join(PROJECT_ROOT, '.terraform-cli');
const MIRROR_CANDIDATES = ['/opt/tf-plugins', '/usr/share/terraform/plugins', '/usr/local/share/terraform/plugins'];

export class TerraformError extends Error {}

export const TERRAFORM_MISSING =
  'terraform was not found on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) ' +
  'and make sure `terraform version` works; the offline checks need it.';

/** The installed Terraform version, or undefined when it is not on PATH. */
export function terraformVersion(): string | undefined {
  const result = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: terraformEnv() });
  if (result.error || result.status !== 0) return undefined;
  return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
}

function hasAwsProvider(mirror: string): boolean {
  return fs.existsSync(path.join(mirror, AWS_PROVIDER.source, AWS_PROVIDER.version));
}

/** A filesystem mirror that holds the pinned AWS provider, if any. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.TF_PLUGIN_MIRROR;
  if (named) {
    if (!hasAwsProvider(named)) {
      throw new TerraformError(
        `TF_PLUGIN_MIRROR=${named} does not contain ${AWS_PROVIDER.source}/${AWS_PROVIDER.version}`,
      );
    }
    return named;
  }
  return MIRROR_CANDIDATES.find(hasAwsProvider);
}

/**
 * Writes `<cliDir>/terraformrc` (default `.terraform-cli/`, with its plugin cache) and returns its path.
 * The file is replaced whole, by a rename, and only when it changes: other processes of the project may
 * be reading it at that moment.
 */
export function writeCliConfig(mirror = findProviderMirror(), cliDir = CLI_DIR): string {
  const cacheDir = path.join(cliDir, 'plugin-cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  const installation = mirror
    ? `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["${AWS_PROVIDER.source}"]
  }
  direct {
    exclude = ["${AWS_PROVIDER.source}"]
  }
}`
    : 'provider_installation {\n  direct {}\n}';
  const file = path.join(cliDir, 'terraformrc');
  const content = `plugin_cache_dir = ${JSON.stringify(cacheDir)}\n${installation}\n`;
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content) {
    const written = `${file}.${process.pid}`;
    fs.writeFileSync(written, content);
    fs.renameSync(written, file);
  }
  return file;
}

/**
 * The lock every `terraform init` run through `terraform()` holds, beside the CLI configuration whose
 * plugin cache it guards. "The plugin cache directory is not guaranteed to be concurrency safe" (CLI
 * Configuration File, Terraform docs; hashicorp/terraform#31964): two inits filling the cache at once
 * fail with "failed to create directory ...: file exists" or "it is still not detected in
 * .terraform/providers". Only `init` installs providers, so every other command runs unlocked.
 */
export const initLockFile = (cliConfigFile: string): string => path.join(path.dirname(cliConfigFile), 'init.lock');

/** Environment for Terraform: project CLI config, no checkpoint calls, no prompts, no colour. */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const cliConfig = path.join(CLI_DIR, 'terraformrc');
  return {
    ...process.env,
    // The project's configuration names the plugin cache; a global one would be shared beyond its lock.
    TF_PLUGIN_CACHE_DIR: undefined,
    TF_CLI_CONFIG_FILE: fs.existsSync(cliConfig) ? cliConfig : '/dev/null',
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...extra,
  };
}

export interface TerraformResult {
  readonly status: number;
  readonly output: string;
}

/**
 * Runs `terraform <args>` in `dir`; throws with Terraform's output when it exits with a status not in
 * `okStatuses` (e.g. `[0, 2]` for `plan -detailed-exitcode`, where 2 means "changes present").
 */
export function terraform(
  dir: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  okStatuses: readonly number[] = [0],
): TerraformResult {
  const env = terraformEnv(extraEnv);
  const run = () => spawnSync('terraform', [...args, '-no-color'], { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const cliConfig = env.TF_CLI_CONFIG_FILE ?? '/dev/null';
  const result = args[0] === 'init' && cliConfig !== '/dev/null' ? withFileLock(initLockFile(cliConfig), run) : run();
  if (result.error) throw new TerraformError(TERRAFORM_MISSING);
  const output = `${result.stdout}${result.stderr}`;
  if (result.status === null || !okStatuses.includes(result.status)) {
    throw new TerraformError(`terraform ${args.join(' ')} failed in ${dir}:\n${output}`);
  }
  return { status: result.status, output };
}

const TEST_FILES_DIR = path.join(PROJECT_ROOT, '__tests__', 'terraform');

/**
 * Test overrides (dummy credentials, prevent_destroy off) must never land in a directory that
 * `cdktf deploy` uses: Terraform loads every `*_override.tf.json` it finds there.
 */
function assertScratchDir(dir: string): void {
  const relative = path.relative(fs.realpathSync(os.tmpdir()), fs.realpathSync(dir));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new TerraformError(`refusing to write test overrides into ${dir}: synthesize into a temporary directory`);
  }
}

/** The mocked-apply test file of a stack; every stack must have one. */
export const stackTestFile = (stack: string): string => path.join(TEST_FILES_DIR, `${stack}.tftest.hcl`);

/**
 * Copies a stack's `terraform test` files into its synthesized directory: `<stack>.tftest.hcl`, the
 * shared mocks, and an optional `<stack>_override.tf.json` with test-only overrides.
 */
export function addTestFiles(stackDir: string, stack: string): void {
  assertScratchDir(stackDir);
  fs.copyFileSync(stackTestFile(stack), path.join(stackDir, `${stack}.tftest.hcl`));
  fs.cpSync(path.join(TEST_FILES_DIR, 'mocks'), path.join(stackDir, 'mocks'), { recursive: true });
  const override = path.join(TEST_FILES_DIR, `${stack}_override.tf.json`);
  if (fs.existsSync(override)) fs.copyFileSync(override, path.join(stackDir, `${stack}_override.tf.json`));
}

/**
 * Writes `offline_plan_override.tf.json` into a scratch stack directory: dummy provider credentials
 * with the skip_* flags, so `terraform plan` makes no AWS call, and a throwaway local backend unless
 * `keepBackend`. `stsEndpoint` sends the provider's STS calls (the `aws_caller_identity` data source)
 * to a fake.
 */
export function writeOfflineOverride(
  stackDir: string,
  { stsEndpoint, keepBackend = false }: { stsEndpoint?: string; keepBackend?: boolean } = {},
): void {
  assertScratchDir(stackDir);
  fs.writeFileSync(
    path.join(stackDir, 'offline_plan_override.tf.json'),
    JSON.stringify({
      ...(keepBackend ? {} : { terraform: { backend: { local: { path: 'offline-plan.tfstate' } } } }),
      provider: {
        aws: [
          {
            access_key: 'offline-plan',
            secret_key: 'offline-plan',
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            ...(stsEndpoint ? { endpoints: [{ sts: stsEndpoint }] } : {}),
          },
        ],
      },
    }),
  );
}

/**
 * `terraform plan` with dummy credentials and no AWS API calls: an override file gives the provider
 * fake keys and the skip_* flags, and points the backend at a throwaway local state. Works for any
 * stack without data sources that call AWS (caller identity, availability zones).
 */
export function offlinePlan(stackDir: string): { summary: string; plannedAddresses: string[] } {
  writeOfflineOverride(stackDir);
  const offline = { AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null' };
  terraform(stackDir, ['init', '-reconfigure', '-input=false'], offline);
  const planOutput = terraform(stackDir, ['plan', '-lock=false', '-input=false', '-out=offline.tfplan'], offline).output;
  const summary = /Plan: .*/.exec(planOutput)?.[0] ?? 'no plan summary';
  const plan = JSON.parse(terraform(stackDir, ['show', '-json', 'offline.tfplan']).output) as {
    resource_changes?: { address: string; mode: string; change: { actions: string[] } }[];
  };
  const plannedAddresses = (plan.resource_changes ?? [])
    .filter((change) => change.mode === 'managed' && change.change.actions.includes('create'))
    .map((change) => change.address);
  return { summary, plannedAddresses };
}

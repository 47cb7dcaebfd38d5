/**
 * Every npm script is a command a user runs, and every command answers `--help` with its usage (exit
 * 0, no work done) and refuses an unknown flag with one line and the usage (exit 2). The list comes
 * from package.json, so a command added later is checked without touching this file.
 */
import { build } from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nextSteps } from '../scripts/lib/synth-summary';
import { ChildRun, runTsx } from './helpers/child-process';

const ROOT = path.join(__dirname, '..');
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** npm scripts that are not commands with flags of their own, and why. */
const NOT_COMMANDS: Record<string, string> = {
  test: 'runs lint, typecheck and jest; extra arguments go to jest',
  lint: 'runs eslint; extra arguments go to eslint',
  typecheck: 'runs tsc; extra arguments go to tsc',
  'test:mutation': "runs StrykerJS's own CLI (stryker run --help lists its flags)",
};

/** How a user types the command: npm runs `start` (like `test`) without `run`. */
const invocation = (name: string): string => (name === 'start' ? 'npm start' : `npm run ${name}`);

const commands = Object.entries(scripts).filter(([name]) => !(name in NOT_COMMANDS));

describe('every npm script is a command that takes --help and refuses unknown flags', () => {
  test('each command is a `tsx <entry>` script, so this suite can run it', () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
    expect(commands.map(([name]) => name)).toEqual(expect.arrayContaining(['start', 'token', 'predict', 'contract:check']));
    expect(commands.filter(([, command]) => !/^tsx \S+\.ts$/.test(command))).toEqual([]);
  });

  // Every run is queued when the tests start, --help runs first as the tests come, and at most one per
  // core runs at once (helpers/child-process.ts): each test waits for about one run, not for all of them.
  // --help and --bogus write nothing.
  const runs = new Map<string, { help: Promise<ChildRun>; bogus: Promise<ChildRun> }>();
  beforeAll(() => {
    const run = (command: string, flag: string) => runTsx(command.replace(/^tsx /, ''), [flag], { cwd: ROOT, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const help = commands.map(([, command]) => run(command, '--help'));
    const bogus = commands.map(([, command]) => run(command, '--bogus'));
    commands.forEach(([name], index) => runs.set(name, { help: help[index], bogus: bogus[index] }));
  });

  test.each(commands.map(([name]) => name))('npm run %s -- --help prints its usage and exits 0', async (name) => {
    const help = await runs.get(name)!.help;
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(new RegExp(`^Usage: ${invocation(name)}\\b`));
    expect(help.code).toBe(0);
  }, 120_000);

  test.each(commands.map(([name]) => name))('npm run %s -- --bogus names the flag, prints the usage and exits 2', async (name) => {
    const bogus = await runs.get(name)!.bogus;
    expect(bogus.stderr).toMatch(/^error: .*--bogus/);
    expect(bogus.stderr).toContain(`Usage: ${invocation(name)}`);
    expect(bogus.stdout).toBe('');
    expect(bogus.code).toBe(2);
  }, 120_000);
});

describe('the synth summary says what to run next', () => {
  test('without a state bucket it suggests bootstrapping one and where to set it', () => {
    const steps = nextSteps(undefined, 'settings/dev.env');
    expect(steps).toContain('npx cdktf deploy state');
    expect(steps).toContain('STATE_KMS_KEY_ARN in settings/dev.env');
  });

  test('with a state bucket it does not, and names the bucket', () => {
    const steps = nextSteps('my-state-bucket', 'settings/dev.env');
    expect(steps).not.toContain('deploy state');
    expect(steps.indexOf('npx cdktf deploy account')).toBeGreaterThan(-1);
    expect(steps.indexOf('npx cdktf deploy account')).toBeLessThan(steps.indexOf('npx cdktf deploy network redshift'));
    expect(steps).toContain('s3://my-state-bucket');
  });
});

describe("the AWS SDK's Node version warning never comes before a command's one-line error", () => {
  const QUIET = 'scripts/lib/quiet-sdk-node-warning';
  const entries = commands.map(([, command]) => command.replace(/^tsx /, ''));

  test('every command whose code includes an AWS SDK client imports the module that silences it, first', async () => {
    const { metafile } = await build({ entryPoints: entries, absWorkingDir: ROOT, bundle: true, write: false, metafile: true, platform: 'node', packages: 'external', outdir: 'out', logLevel: 'silent' });
    const withClients = Object.values(metafile.outputs)
      .filter((output) => output.imports.some((imported) => imported.path.startsWith('@aws-sdk/client-')))
      .map((output) => output.entryPoint ?? '');
    expect(withClients).toEqual(expect.arrayContaining(['scripts/preflight.ts', 'scripts/plan.ts', 'scripts/token.ts', 'scripts/predict.ts', 'scripts/warehouse-setup.ts']));
    const firstImport = (entry: string) => /^import .*$/m.exec(fs.readFileSync(path.join(ROOT, entry), 'utf8'))?.[0];
    const quiet = (entry: string) => `import './${path.posix.relative(path.posix.dirname(entry), QUIET)}';`.replace('./../', '../');
    expect(withClients.filter((entry) => firstImport(entry) !== quiet(entry))).toEqual([]);
  });

  test(`npm run preflight without credentials prints exactly one line on stderr (Node ${process.versions.node})`, async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'no-credentials-'));
    // No credentials anywhere the SDK's chain looks (environment, profile files, container, instance).
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    Object.assign(env, {
      AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      CHECKPOINT_DISABLE: '1',
    });
    try {
      const run = await runTsx('scripts/preflight.ts', [], { cwd: ROOT, env });
      expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: no AWS credentials found: set AWS_PROFILE/)]);
      expect(run.stdout).toBe('');
      expect(run.code).toBe(1);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});

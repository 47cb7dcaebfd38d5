/**
 * Settings files (stacks/settings.ts): the committed files pass synth's validation, every setting of
 * docs/configuration.md can be set in them, dev reproduces the defaults, a malformed file or an unknown
 * key stops with one line naming file and line, and environment variables override a file on a laptop
 * (with a note) but are refused in one line under SETTINGS_OVERRIDES=refuse, which the workflows set.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planMain } from '../scripts/plan/plan-command';
import { ConfigError, ENVIRONMENTS, loadConfig } from '../stacks/config';
import { SETTINGS_DIR, SETTING_NAMES, loadSettings, parseSettings } from '../stacks/settings';
import { GITHUB_DEFAULT_ENV, GITHUB_RESERVED, awsCredentialsEnv } from './helpers/github-actions-env';

const ROOT = path.join(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A settings folder holding one file for `environment` with these lines. */
function settingsDir(lines: string, environment = 'dev'): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'dir-'));
  fs.writeFileSync(path.join(dir, `${environment}.env`), lines);
  return dir;
}

/** loadSettings on a file of these lines, collecting the notes it prints. */
function load(lines: string, env: Record<string, string> = {}) {
  const notes: string[] = [];
  const settings = loadSettings({ ENVIRONMENT: 'dev', ...env }, { dir: settingsDir(lines), warn: (n) => notes.push(n) });
  return { settings, notes };
}

const message = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the committed settings files', () => {
  test('there is one per environment and nothing else in settings/', () => {
    expect(fs.readdirSync(SETTINGS_DIR).sort()).toEqual(ENVIRONMENTS.map((e) => `${e}.env`).sort());
  });

  test.each(ENVIRONMENTS)('settings/%s.env passes the same validation as synth', (environment) => {
    const { config, file } = loadSettings({ ENVIRONMENT: environment }, { warn: () => undefined });
    expect(file).toBe(`settings/${environment}.env`);
    expect(config.environment).toBe(environment);
  });

  test('dev reproduces the defaults, so the quick start, the tests and the security-baseline doc describe it', () => {
    // Where the state lives (the backend) and the account stack's settings may be added to dev.env:
    // neither changes what the pipeline's stacks deploy.
    const { config } = loadSettings({}, { warn: () => undefined });
    const defaults = loadConfig({});
    expect({ ...config, stateBucket: undefined, stateKmsKeyArn: undefined, account: defaults.account }).toEqual(defaults);
  });

  test('each environment has a network range of its own', () => {
    const ranges = ENVIRONMENTS.map((environment) => loadSettings({ ENVIRONMENT: environment }).config.vpcCidr);
    expect(new Set(ranges).size).toBe(ENVIRONMENTS.length);
  });
});

describe('every setting of docs/configuration.md is a key of the settings files', () => {
  const documented = fs
    .readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8')
    .split(/^## /m)[0]
    .match(/^\| `[A-Z][A-Z0-9_]+` \|/gm)!
    .map((row) => row.slice(3, -3));

  test('the keys are exactly the variables of the configuration table', () => {
    expect([...SETTING_NAMES].sort()).toEqual([...documented].sort());
  });

  // Every setting but ENVIRONMENT, which chooses the file. No setting accepts "not valid!", so each
  // line reaching loadConfig's validation shows up as that setting's error, located in the file.
  test.each(SETTING_NAMES.filter((name) => name !== 'ENVIRONMENT'))('%s in a settings file is validated by synth', (name) => {
    expect(message(() => load(`# a comment\n${name}=not valid!\n`))).toMatch(
      new RegExp(`^settings/dev\\.env:2: ${name}="not valid!" is invalid: expected `),
    );
  });

  test('values from a file reach the configuration: trimmed, quotes removed, empty means the default', () => {
    const { settings, notes } = load(
      [
        '# prod-like settings',
        '',
        'VPC_CIDR = 10.90.0.0/20 ',
        '  LAMBDA_MEMORY_MB=512',
        '  # an indented comment',
        'ALARM_EMAIL="ops@bank.example"',
        "WAF_ALLOWED_COUNTRIES= 'DE,FR'",
        'REDSHIFT_MAX_CAPACITY=',
        '',
      ].join('\r\n'),
    );
    expect(notes).toEqual([]);
    expect(settings.config).toMatchObject({ vpcCidr: '10.90.0.0/20', api: { lambdaMemoryMb: 512, alarmEmail: 'ops@bank.example' } });
    expect(settings.config.waf.allowedCountries).toEqual(['DE', 'FR']);
    expect(settings.config.warehouse.maxCapacity).toBeUndefined();
    expect(settings.lines.map((l) => [l.name, l.line])).toEqual([
      ['VPC_CIDR', 3],
      ['LAMBDA_MEMORY_MB', 4],
      ['ALARM_EMAIL', 6],
      ['WAF_ALLOWED_COUNTRIES', 7],
      ['REDSHIFT_MAX_CAPACITY', 8],
    ]);
  });
});

describe('a settings file that cannot be read stops with one line naming file and line', () => {
  const cases: [string, string, string][] = [
    ['a misspelt key, with the closest one', 'VPC_CIRD=10.0.0.0/16', 'settings/dev.env:1: VPC_CIRD is not a setting (did you mean VPC_CIDR?); the settings are the variables of docs/configuration.md'],
    ['a key in lowercase', 'lambda_memory_mb=512', 'settings/dev.env:1: lambda_memory_mb is not a setting (did you mean LAMBDA_MEMORY_MB?); the settings are the variables of docs/configuration.md'],
    ['a key like none', 'FAVOURITE_COLOUR=blue', 'settings/dev.env:1: FAVOURITE_COLOUR is not a setting; the settings are the variables of docs/configuration.md'],
    ['a key three edits from a short one', 'RATE_LIMIT_XY=1', 'settings/dev.env:1: RATE_LIMIT_XY is not a setting; the settings'],
    ['a long key with three letters missing', 'LAMBDA_RESERVE_CONCURENC=5', 'settings/dev.env:1: LAMBDA_RESERVE_CONCURENC is not a setting (did you mean LAMBDA_RESERVED_CONCURRENCY?)'],
    ['a line without =', '# ok\nVPC_CIDR 10.0.0.0/16', 'settings/dev.env:2: expected NAME=value or a # comment, found "VPC_CIDR 10.0.0.0/16"'],
    ['a shell export', 'export VPC_CIDR=10.0.0.0/16', 'settings/dev.env:1: expected NAME=value or a # comment, found "export VPC_CIDR=10.0.0.0/16"'],
    ['a key set twice', 'RATE_LIMIT=100\n\nRATE_LIMIT=200', 'settings/dev.env:3: RATE_LIMIT is already set on line 1'],
    ['ENVIRONMENT, which chooses the file', 'ENVIRONMENT=prod', "settings/dev.env:1: ENVIRONMENT is not set in a settings file: it chooses the file (this one is dev's)"],
    ['a comment after a value', 'RATE_LIMIT=100 # per 5 minutes', "settings/dev.env:1: a # comment goes on a line of its own, not after RATE_LIMIT's value"],
    ['a value synth refuses', 'LAMBDA_MEMORY_MB=256\nVPC_CIDR=10.0.0.0/33', 'settings/dev.env:2: VPC_CIDR="10.0.0.0/33" is invalid: expected an IPv4 network in CIDR notation with a prefix from /16 to /24, e.g. 10.80.0.0/20'],
    ['a default the file makes invalid', 'AWS_REGION=us-west-1', 'settings/dev.env: AVAILABILITY_ZONE_IDS="" is invalid: expected three AZ IDs of us-west-1'],
  ];
  test.each(cases)('%s', (_name, lines, expected) => {
    const text = message(() => load(lines));
    expect(text.startsWith(expected)).toBe(true);
    expect(text).not.toContain('\n');
  });

  test('parseSettings keeps a # without a space before it, and quotes that do not surround the value', () => {
    const values = parseSettings(
      ['COGNITO_CALLBACK_URLS=https://app.example/cb#x', 'TABLE_NAME=a"b"', 'MODEL_NAME="ab"c'].join('\n'),
      'f.env',
      'dev',
    ).map((s) => s.value);
    expect(values).toEqual(['https://app.example/cb#x', 'a"b"', '"ab"c']);
  });

  test('an unknown environment is refused as before, and a missing file is named', () => {
    expect(message(() => loadSettings({ ENVIRONMENT: 'qa' }))).toBe('ENVIRONMENT="qa" is invalid: expected one of dev, staging, prod');
    const empty = fs.mkdtempSync(path.join(scratch, 'empty-'));
    expect(message(() => loadSettings({ ENVIRONMENT: 'staging' }, { dir: empty }))).toBe(
      'settings/staging.env does not exist: each of dev, staging, prod has its settings file (docs/configuration.md)',
    );
  });
});

describe('environment variables override a file on a laptop and are refused under SETTINGS_OVERRIDES=refuse', () => {
  const file = 'VPC_CIDR=10.90.0.0/20\n';

  test('an override wins, and a note on stderr says which line it replaced', () => {
    const { settings, notes } = load(file, { VPC_CIDR: '10.91.0.0/20', LAMBDA_MEMORY_MB: '512' });
    expect(settings.config.vpcCidr).toBe('10.91.0.0/20');
    expect(settings.config.api.lambdaMemoryMb).toBe(512);
    expect(notes).toEqual([
      'note: VPC_CIDR="10.91.0.0/20" from the environment overrides settings/dev.env (line 1: "10.90.0.0/20")',
      'note: LAMBDA_MEMORY_MB="512" from the environment overrides settings/dev.env (the default)',
    ]);
  });

  test('without a warn function, the notes go to stderr; values are trimmed', () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      loadSettings({ ENVIRONMENT: 'dev', RATE_LIMIT: ' 100 ' }, { dir: settingsDir(file) });
      expect(stderr.mock.calls).toEqual([['note: RATE_LIMIT="100" from the environment overrides settings/dev.env (the default)']]);
    } finally {
      stderr.mockRestore();
    }
  });

  test('a variable that changes nothing is no override: the same value, the default, or empty', () => {
    // The credentials step of the workflows exports AWS_REGION: the file's region, or the default.
    const { settings, notes } = load(file, { VPC_CIDR: ' 10.90.0.0/20 ', AWS_REGION: 'us-east-1', ALARM_EMAIL: '' });
    expect(settings.overrides).toEqual([]);
    expect(notes).toEqual([]);
    const refusing = load(file, { VPC_CIDR: '10.90.0.0/20', SETTINGS_OVERRIDES: 'refuse' }).settings;
    expect(refusing.config.vpcCidr).toBe('10.90.0.0/20');
    expect(refusing.overrides).toEqual([]);
  });

  test('a variable equal to a default derived from another setting still counts when that one is overridden', () => {
    // API_THROTTLE_BURST=8 is the default burst (the stage rate of the default 40 % share), but not that of a 50 % share.
    const { settings, notes } = load(file, { DATA_API_SHARE_PERCENT: '50', API_THROTTLE_BURST: '8' });
    expect(settings.config.api).toMatchObject({ throttleRateLimit: 10, throttleBurstLimit: 8 });
    expect(notes.map((n) => n.split('=')[0])).toEqual(['note: DATA_API_SHARE_PERCENT', 'note: API_THROTTLE_BURST']);
  });

  test('no setting is named like a variable GitHub Actions sets in every step (CI, GITHUB_*, RUNNER_*)', () => {
    // Such a setting would be "set" in every CI step, and SETTINGS_OVERRIDES=refuse would refuse it.
    expect(SETTING_NAMES.filter((name) => GITHUB_RESERVED.test(name))).toEqual([]);
    expect(Object.keys(GITHUB_DEFAULT_ENV).every((name) => GITHUB_RESERVED.test(name))).toBe(true);
  });

  test.each(ENVIRONMENTS)(
    'in a GitHub Actions step (its default variables, the credentials step\'s region and keys) settings/%s.env loads under SETTINGS_OVERRIDES=refuse',
    (environment) => {
      const { region } = loadSettings({ ENVIRONMENT: environment }).config;
      const step = { ...GITHUB_DEFAULT_ENV, ...awsCredentialsEnv(region), SETTINGS_OVERRIDES: 'refuse', ENVIRONMENT: environment };
      const notes: string[] = [];
      const settings = loadSettings(step, { warn: (n) => notes.push(n) });
      expect(settings.overrides).toEqual([]);
      expect(notes).toEqual([]);
      expect(settings.config).toEqual(loadSettings({ ENVIRONMENT: environment }).config);
    },
  );

  test('CI=true alone (the test suite, ci.yml) still allows overrides', () => {
    expect(load(file, { CI: 'true', VPC_CIDR: '10.91.0.0/20' }).settings.config.vpcCidr).toBe('10.91.0.0/20');
  });

  test('an invalid override fails as it always did: one line naming the variable', () => {
    expect(message(() => load(file, { VPC_CIDR: '10.0.0.0/33' }))).toMatch(/^VPC_CIDR="10.0.0.0\/33" is invalid: expected an IPv4 network/);
  });

  test('SETTINGS_OVERRIDES=refuse refuses every override, valid or not, in one line naming each', () => {
    const text = message(() =>
      load(file, { SETTINGS_OVERRIDES: 'refuse', VPC_CIDR: '10.91.0.0/20', RATE_LIMIT: 'lots', AWS_REGION: 'us-east-1' }),
    );
    expect(text).toBe(
      'VPC_CIDR="10.91.0.0/20", RATE_LIMIT="lots" in the environment would override settings/dev.env, and ' +
        'SETTINGS_OVERRIDES=refuse (CI) takes settings from the file only: change settings/dev.env in a pull request, or unset them',
    );
  });

  test('SETTINGS_OVERRIDES takes allow or refuse', () => {
    expect(load(file, { SETTINGS_OVERRIDES: 'allow', VPC_CIDR: '10.91.0.0/20' }).settings.overrides).toHaveLength(1);
    expect(message(() => load(file, { SETTINGS_OVERRIDES: ' refuse ', RATE_LIMIT: '100' }))).toBe(
      'RATE_LIMIT="100" in the environment would override settings/dev.env, and SETTINGS_OVERRIDES=refuse (CI) ' +
        'takes settings from the file only: change settings/dev.env in a pull request, or unset it',
    );
    expect(message(() => load(file, { SETTINGS_OVERRIDES: 'strict' }))).toBe(
      'SETTINGS_OVERRIDES="strict" is invalid: expected unset, or one of allow, refuse',
    );
  });
});

describe('the commands, as the workflows and a laptop run them', () => {
  interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
  }
  /** Runs a script entry with only these settings in its environment (the shell's are removed). */
  function run(entry: string, args: string[], env: Record<string, string>): Promise<Run> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !SETTING_NAMES.includes(name) && name !== 'SETTINGS_OVERRIDES'),
    );
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entry, ...args],
        { cwd: ROOT, env: { ...base, CHECKPOINT_DISABLE: '1', TMPDIR: process.env.TEST_SYSTEM_TMPDIR ?? process.env.TMPDIR, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  test('a CI synth with an override fails with one line naming it', async () => {
    const result = await run('scripts/synth.ts', [], { SETTINGS_OVERRIDES: 'refuse', ENVIRONMENT: 'prod', LAMBDA_MEMORY_MB: '1024' });
    expect(result.stderr).toBe(
      'error: LAMBDA_MEMORY_MB="1024" in the environment would override settings/prod.env, and SETTINGS_OVERRIDES=refuse (CI) ' +
        'takes settings from the file only: change settings/prod.env in a pull request, or unset it\n',
    );
    expect(result.code).toBe(1);
  }, 60_000);

  test('a CI plan with an override fails with one line naming it, before synthesizing anything', async () => {
    // planMain reads process.env: only these settings in it for the test's duration.
    const names = [...SETTING_NAMES, 'SETTINGS_OVERRIDES'];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    Object.assign(process.env, { SETTINGS_OVERRIDES: 'refuse', LAMBDA_MEMORY_MB: '1024' });
    const printed: string[] = [];
    const synth = jest.fn();
    try {
      const code = await planMain(['--stacks', 'network'], { print: (t) => printed.push(t), printError: (t) => printed.push(t) }, synth);
      expect(code).toBe(1);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(synth).not.toHaveBeenCalled();
    expect(printed).toEqual([expect.stringMatching(/^error: LAMBDA_MEMORY_MB="1024" in the environment would override settings\/dev\.env, and SETTINGS_OVERRIDES=refuse/)]);
  });

  test('npm run settings compares every file, and --env shows one as synth reads it, overrides noted', async () => {
    const all = await run('scripts/settings.ts', [], {});
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^setting +settings\/dev\.env +settings\/staging\.env +settings\/prod\.env\nVPC_CIDR +- +10\.81\.0\.0\/20 +10\.82\.0\.0\/20\n/);
    expect(all.stdout).toContain('3 of 3 settings files valid');

    const dev = await run('scripts/settings.ts', ['--env', 'dev'], { CI: 'true', LAMBDA_MEMORY_MB: '512' });
    expect(dev.code).toBe(0);
    expect(dev.stderr).toBe('note: LAMBDA_MEMORY_MB="512" from the environment overrides settings/dev.env (the default)\n');
    expect(dev.stdout).toContain('Region us-east-1, local state (STATE_BUCKET unset), resource names loan-remediation-dev-*');

    const refused = await run('scripts/settings.ts', ['--env', 'dev'], { SETTINGS_OVERRIDES: 'refuse', LAMBDA_MEMORY_MB: '512' });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  test('--github-output hands the workflow the region, the file and the environment, in a step as GitHub runs it', async () => {
    const output = path.join(scratch, 'github-output');
    fs.writeFileSync(output, '');
    // The workflows' first step: GitHub's default variables, SETTINGS_OVERRIDES=refuse, no credentials yet.
    const step = { ...GITHUB_DEFAULT_ENV, GITHUB_OUTPUT: output, SETTINGS_OVERRIDES: 'refuse' };
    const result = await run('scripts/settings.ts', ['--env', 'prod', '--github-output'], step);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readFileSync(output, 'utf8')).toBe('environment=prod\nfile=settings/prod.env\nregion=us-east-1\n');
    const alone = await run('scripts/settings.ts', ['--github-output'], { GITHUB_OUTPUT: output });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^error: --github-output needs --env\n/);
  }, 60_000);
});

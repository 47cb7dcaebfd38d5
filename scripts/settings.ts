/**
 * `npm run settings`: checks the settings files with synth's own rules and shows what each
 * environment sets, side by side, so a promotion's difference is one look. With --env, one
 * environment as synth would read it (overrides from the environment included); --github-output
 * hands the workflows the region of their credentials step.
 */
import * as fs from 'fs';
import { ConfigError, ENVIRONMENTS } from '../stacks/config';
import { SETTING_NAMES, Settings, loadSettings } from '../stacks/settings';
import { EXIT_FAILURE, EXIT_OK, UsageError, runCli } from './lib/cli';

const USAGE = `Usage: npm run settings [-- --env <name>] [-- --github-output]

Checks every settings file (settings/<environment>.env) with the same rules as synth and prints the
settings they set side by side, one row per setting ("-": the default of docs/configuration.md).

  --env <name>      only this environment (${ENVIRONMENTS.join(', ')}), read as synth reads it: the file, then
                    any environment variable that overrides it (SETTINGS_OVERRIDES=refuse refuses them)
  --github-output   with --env: also write environment, file and region to $GITHUB_OUTPUT (the
                    workflows' credentials step takes its region from there)
  --help            show this text

Exit status: 0 when every file checked is valid, 1 otherwise (one line per problem), 2 for bad flags.`;

/** Rows of `cells` padded into columns. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Every environment's file side by side; a file that fails is reported and the others still shown. */
function compareEnvironments(): number {
  const loaded: Settings[] = [];
  let failed = 0;
  for (const environment of ENVIRONMENTS) {
    try {
      // The files alone: the shell's variables are no part of what is committed.
      loaded.push(loadSettings({ ENVIRONMENT: environment }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`error: ${error.message}`);
      failed++;
    }
  }
  const names = SETTING_NAMES.filter((name) => loaded.some((s) => s.lines.some((l) => l.name === name)));
  const value = (settings: Settings, name: string) => settings.lines.find((l) => l.name === name)?.value || '-';
  if (names.length > 0) {
    console.log(table([['setting', ...loaded.map((s) => s.file)], ...names.map((name) => [name, ...loaded.map((s) => value(s, name))])]));
  }
  console.log(
    `\n${loaded.length} of ${ENVIRONMENTS.length} settings files valid (the same checks as synth); every setting not shown keeps its default.`,
  );
  if (failed === 0) console.log('Next: npm run settings -- --env <name>   one environment as synth reads it, overrides included');
  return failed === 0 ? EXIT_OK : EXIT_FAILURE;
}

function showEnvironment(environment: string, githubOutput: boolean): number {
  const settings = loadSettings({ ...process.env, ENVIRONMENT: environment });
  const { file, lines, config } = settings;
  console.log(`${file} is valid (the same checks as synth):`);
  if (lines.length > 0) console.log(table(lines.map((l) => [`  ${l.name}=${l.value}`, `line ${l.line}`])));
  console.log(`  every other setting keeps its default (docs/configuration.md)`);
  const state = config.stateBucket ? `state in s3://${config.stateBucket}` : 'local state (STATE_BUCKET unset)';
  console.log(`Region ${config.region}, ${state}, resource names ${config.namePrefix}-*`);
  if (githubOutput) {
    const target = process.env.GITHUB_OUTPUT;
    if (!target) throw new UsageError('--github-output needs GITHUB_OUTPUT (set in GitHub Actions)');
    fs.appendFileSync(target, `environment=${config.environment}\nfile=${file}\nregion=${config.region}\n`);
  }
  return EXIT_OK;
}

void runCli(USAGE, { env: { type: 'string' }, 'github-output': { type: 'boolean' } }, (flags) => {
  if (flags.env === undefined) {
    if (flags['github-output']) throw new UsageError('--github-output needs --env');
    return compareEnvironments();
  }
  if (!(ENVIRONMENTS as readonly string[]).includes(flags.env)) {
    throw new UsageError(`--env ${JSON.stringify(flags.env)}: expected one of ${ENVIRONMENTS.join(', ')}`);
  }
  return showEnvironment(flags.env, flags['github-output'] ?? false);
});

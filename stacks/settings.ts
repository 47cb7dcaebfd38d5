/**
 * Where the deployment's settings come from: one file per environment, settings/<environment>.env,
 * reviewed in pull requests like code. ENVIRONMENT (default dev) picks the file. On a laptop an
 * environment variable may override a line of it (each override is reported on stderr); with
 * SETTINGS_OVERRIDES=refuse, which the plan, deploy and drift workflows set, an override stops synth
 * with one line, so what CI plans and applies is exactly what the file says. The values then go
 * through loadConfig's validation: the same rules and one-line errors whatever their source.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Config, ConfigError, ENVIRONMENTS, Environment, loadConfig } from './config';

/** The folder of the settings files, one per environment. */
export const SETTINGS_DIR = path.join(__dirname, '..', 'settings');
/** How docs and messages name a settings file (relative to the project folder). */
export const settingsFile = (environment: string): string => `settings/${environment}.env`;

/**
 * Every variable loadConfig reads, in the order it reads them: recorded by running it once on an
 * empty set of values, where every read happens and every default applies. A setting added to
 * stacks/config.ts is a valid key of the settings files without being listed anywhere else.
 */
export const SETTING_NAMES: readonly string[] = (() => {
  const names = new Set<string>();
  loadConfig(
    new Proxy({} as Record<string, string | undefined>, {
      get: (_target, name) => {
        if (typeof name === 'string') names.add(name);
        return undefined;
      },
    }),
  );
  return [...names];
})();

export const OVERRIDE_POLICIES = ['allow', 'refuse'] as const;

/** One `NAME=value` line of a settings file. */
export interface SettingLine {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

/** The known name closest to a misspelt one, when it is close enough to be what was meant. */
function closestName(name: string): string | undefined {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const current = [i];
      for (let j = 1; j <= b.length; j++) {
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      previous = current;
    }
    return previous[b.length];
  };
  const upper = name.toUpperCase();
  const [best] = SETTING_NAMES.map((known) => ({ known, d: distance(upper, known) })).sort((x, y) => x.d - y.d);
  return best.d <= Math.max(2, Math.floor(best.known.length / 4)) ? best.known : undefined;
}

/**
 * Reads a settings file: `NAME=value` lines, `#` comment lines and blank lines. NAME is a variable of
 * docs/configuration.md; the value is the rest of the line, trimmed, one pair of surrounding quotes
 * removed; an empty value leaves the default. Anything else stops with one line naming file and line.
 */
export function parseSettings(text: string, file: string, environment: string): SettingLine[] {
  const settings: SettingLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const where = `${file}:${line}`;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(trimmed);
    if (!match) throw new ConfigError(`${where}: expected NAME=value or a # comment, found ${JSON.stringify(trimmed)}`);
    const [, name, rest] = match;
    if (name === 'ENVIRONMENT') {
      throw new ConfigError(`${where}: ENVIRONMENT is not set in a settings file: it chooses the file (this one is ${environment}'s)`);
    }
    if (!SETTING_NAMES.includes(name)) {
      const guess = closestName(name);
      throw new ConfigError(
        `${where}: ${name} is not a setting${guess ? ` (did you mean ${guess}?)` : ''}; the settings are the variables of docs/configuration.md`,
      );
    }
    const earlier = settings.find((s) => s.name === name);
    if (earlier) throw new ConfigError(`${where}: ${name} is already set on line ${earlier.line}`);
    let value = rest.trim();
    if (/\s#/.test(value)) throw new ConfigError(`${where}: a # comment goes on a line of its own, not after ${name}'s value`);
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    settings.push({ name, value, line });
  });
  return settings;
}

/** A value from the environment that changes the configuration the settings file gives. */
export interface SettingOverride {
  readonly name: string;
  readonly value: string;
  /** The file's line for it; undefined when the file leaves the default. */
  readonly fileLine: SettingLine | undefined;
}

export interface Settings {
  readonly environment: Environment;
  /** `settings/<environment>.env` */
  readonly file: string;
  /** The file's lines, in file order. */
  readonly lines: readonly SettingLine[];
  readonly overrides: readonly SettingOverride[];
  /** What loadConfig validated: the file's values, the overrides and ENVIRONMENT. */
  readonly values: Readonly<Record<string, string>>;
  readonly config: Config;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadSettingsOptions {
  /** Folder of the settings files (default: the project's settings/). */
  readonly dir?: string;
  /** Where the one-line notes about overrides go (default: stderr). */
  readonly warn?: (line: string) => void;
}

/** The note printed for an override on a laptop. */
export function overrideNote(override: SettingOverride, file: string): string {
  const was = override.fileLine ? `line ${override.fileLine.line}: ${JSON.stringify(override.fileLine.value)}` : 'the default';
  return `note: ${override.name}=${JSON.stringify(override.value)} from the environment overrides ${file} (${was})`;
}

/**
 * The settings of the environment ENVIRONMENT names (default dev): its file, then the environment
 * variables that change what the file gives. Every error is a ConfigError of one line.
 */
export function loadSettings(env: Env = process.env, options: LoadSettingsOptions = {}): Settings {
  const { dir = SETTINGS_DIR, warn = (line: string) => console.error(line) } = options;
  // The same rule (and message) as every other setting; the rest of this empty set gets defaults.
  const environment = loadConfig({ ENVIRONMENT: env.ENVIRONMENT }).environment;
  const policyRaw = env.SETTINGS_OVERRIDES?.trim() || 'allow';
  const policy = OVERRIDE_POLICIES.find((p) => p === policyRaw);
  if (policy === undefined) throw new ConfigError('SETTINGS_OVERRIDES', policyRaw, `unset, or one of ${OVERRIDE_POLICIES.join(', ')}`);

  const file = settingsFile(environment);
  const fullPath = path.join(dir, `${environment}.env`);
  if (!fs.existsSync(fullPath)) {
    throw new ConfigError(`${file} does not exist: each of ${ENVIRONMENTS.join(', ')} has its settings file (docs/configuration.md)`);
  }
  const lines = parseSettings(fs.readFileSync(fullPath, 'utf8'), file, environment);
  const fromFile: Record<string, string> = { ...Object.fromEntries(lines.map((l) => [l.name, l.value])), ENVIRONMENT: environment };
  let fileConfig: Config;
  try {
    fileConfig = loadConfig(fromFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const line = lines.find((l) => l.name === error.variable);
    throw new ConfigError(`${line ? `${file}:${line.line}` : file}: ${error.message}`);
  }

  // An environment variable is an override only when it changes the configuration: AWS_REGION set by
  // the credentials step to the file's own region, or a value equal to the default, is not one (nor
  // is ENVIRONMENT, which chose the file).
  const fromEnv = SETTING_NAMES.map((name) => ({ name, value: env[name]?.trim() ?? '' }))
    .filter(({ value }) => value !== '');
  const withEnv = (vars: readonly { name: string; value: string }[]) => ({
    ...fromFile,
    ...Object.fromEntries(vars.map((v) => [v.name, v.value])),
  });
  /** Whether loadConfig gives something else for these values than `than`; an invalid set counts as different. */
  const differs = (values: Record<string, string>, than: Config): boolean => {
    try {
      return JSON.stringify(loadConfig(values)) !== JSON.stringify(than);
    } catch (error) {
      if (error instanceof ConfigError) return true;
      throw error;
    }
  };

  if (policy === 'refuse') {
    // Valid or not, a variable that would change anything is refused (not validated): only the file counts.
    const refused = fromEnv.filter((v) => differs(withEnv([v]), fileConfig));
    if (refused.length > 0) {
      const named = refused.map((o) => `${o.name}=${JSON.stringify(o.value)}`).join(', ');
      throw new ConfigError(
        `${named} in the environment would override ${file}, and SETTINGS_OVERRIDES=refuse (CI) takes settings from the file only: ` +
          `change ${file} in a pull request, or unset ${refused.length === 1 ? 'it' : 'them'}`,
      );
    }
    return { environment, file, lines, overrides: [], values: fromFile, config: fileConfig };
  }
  // Every variable applies; those without which the configuration would differ are reported.
  const values = withEnv(fromEnv);
  const config = loadConfig(values);
  const overrides: SettingOverride[] = fromEnv
    .filter((v) => differs(withEnv(fromEnv.filter((other) => other !== v)), config))
    .map(({ name, value }) => ({ name, value, fileLine: lines.find((l) => l.name === name) }));
  for (const override of overrides) warn(overrideNote(override, file));
  return { environment, file, lines, overrides, values, config };
}

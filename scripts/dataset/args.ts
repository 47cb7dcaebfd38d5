import { parseIsoDate } from './calendar';

export interface GeneratorOptions {
  readonly rows: number;
  readonly seed: number;
  readonly out: string;
  /** First and last possible timestamp, as day numbers (see calendar.ts). */
  readonly firstDay: number;
  readonly lastDay: number;
  readonly noise: number;
}

/** A problem with the command line: reported as one line followed by the usage, never a stack trace. */
export class UsageError extends Error {}

export const DEFAULT_START = '2018-01-01';
export const DEFAULT_END = '2024-02-28';
export const DEFAULT_NOISE = 1;
/** Keeps customer ids below 2^31, the most the CSV writer's integer formatting handles. */
const MAX_ROWS = 1_000_000_000;
const MAX_SEED = 2 ** 32 - 1;

export const USAGE = `Usage: npm run dataset -- --rows N --seed S --out FILE [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--noise X]

Writes a synthetic loan-remediation CSV whose "successful" label is drawn from a documented latent model.
The same flags always give a byte-identical file.

  --rows N            rows to write, 1 to ${MAX_ROWS.toLocaleString('en-US')}
  --seed S            random seed, a whole number from 0 to ${MAX_SEED}
  --out FILE          CSV to write; it only appears once complete
  --start YYYY-MM-DD  first possible timestamp (default ${DEFAULT_START})
  --end YYYY-MM-DD    last possible timestamp (default ${DEFAULT_END})
  --noise X           label noise, a number >= 0 (default ${DEFAULT_NOISE}; 0 = the label follows the score exactly,
                      larger = harder to predict)
  --help              show this help
`;

const FLAGS = ['rows', 'seed', 'out', 'start', 'end', 'noise'] as const;
type Flag = (typeof FLAGS)[number];

const isFlag = (name: string): name is Flag => (FLAGS as readonly string[]).includes(name);

/** Reads `--flag value` and `--flag=value` pairs; every flag takes a value, except --help. */
function readFlags(argv: readonly string[]): Map<Flag, string> {
  const values = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!match) throw new UsageError(`unexpected argument '${argv[i]}'`);
    const [, name, inlineValue] = match;
    if (!isFlag(name)) throw new UsageError(`unknown flag --${name}`);
    if (values.has(name)) throw new UsageError(`--${name} is given more than once`);
    const value = inlineValue ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return values;
}

function wholeNumber(flag: Flag, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(
      `--${flag} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got '${text}'`,
    );
  }
  return value;
}

function isoDate(flag: Flag, text: string): number {
  const day = parseIsoDate(text);
  if (day === undefined) throw new UsageError(`--${flag} must be a real date written YYYY-MM-DD, got '${text}'`);
  return day;
}

function nonNegativeNumber(flag: Flag, text: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) throw new UsageError(`--${flag} must be a number >= 0, got '${text}'`);
  return Number(text);
}

/** The options to generate with, or 'help' when --help (or -h) is given. Throws UsageError. */
export function parseGeneratorArgs(argv: readonly string[]): GeneratorOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const flags = readFlags(argv);
  const required = (flag: Flag): string => {
    const value = flags.get(flag);
    if (value === undefined) throw new UsageError(`--${flag} is required`);
    return value;
  };
  const rows = wholeNumber('rows', required('rows'), 1, MAX_ROWS);
  const seed = wholeNumber('seed', required('seed'), 0, MAX_SEED);
  const out = required('out');
  const start = flags.get('start') ?? DEFAULT_START;
  const end = flags.get('end') ?? DEFAULT_END;
  const firstDay = isoDate('start', start);
  const lastDay = isoDate('end', end);
  if (lastDay < firstDay) throw new UsageError(`--end ${end} is before --start ${start}`);
  const noise = nonNegativeNumber('noise', flags.get('noise') ?? String(DEFAULT_NOISE));
  return { rows, seed, out, firstDay, lastDay, noise };
}

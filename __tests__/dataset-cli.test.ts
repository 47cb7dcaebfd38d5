import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ChildOptions, ChildRun, runTsx } from './helpers/child-process';
import { datasetProblems } from './helpers/dataset-csv';

const ROOT = path.join(__dirname, '..');
const GENERATOR = path.join(ROOT, 'scripts', 'dataset.ts');

/** Runs the generator the way `npm run dataset` does, in a separate process (in its turn: helpers/child-process.ts). */
const generate = (args: readonly string[], whileRunning?: ChildOptions['whileRunning']): Promise<ChildRun> =>
  runTsx(GENERATOR, args, { cwd: ROOT, whileRunning });

/** `{ rows: '5' }` as `['--rows', '5']`. */
const cliFlags = (flags: Record<string, string>) =>
  Object.entries(flags).flatMap(([name, value]) => [`--${name}`, value]);

const workDir = mkdtempSync(path.join(tmpdir(), 'dataset-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** A new, empty directory, so a test can check that nothing was left in it. */
const emptyDir = () => mkdtempSync(path.join(workDir, 'case-'));

describe('a good run', () => {
  const dates = { start: '2020-02-01', end: '2020-02-29' };
  const flags = (seed: number, out: string) =>
    cliFlags({ rows: '3000', seed: String(seed), out, start: dates.start, end: dates.end });
  let first: ChildRun;
  let text: string;

  beforeAll(async () => {
    first = await generate(flags(7, path.join(workDir, 'a.csv')));
    text = readFileSync(path.join(workDir, 'a.csv'), 'utf8');
  });

  test('writes a valid file: header, ranges, categories, rules, unique ids, dates in range', () => {
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(text.trimEnd().split('\n')).toHaveLength(3001);
    expect(datasetProblems(text, dates)).toEqual([]);
  });

  test('uses both ends of the date range', () => {
    expect(text).toContain(`,${dates.start}\n`);
    expect(text).toContain(`,${dates.end}\n`);
  });

  test('reports what it wrote, the Bayes-optimal AUC and what to run next', () => {
    expect(first.stdout).toMatch(/^Wrote 3,000 rows to .*a\.csv \(0\.3 MB\) in [\d.]+ s, [\d,]+ rows\/s\./);
    expect(first.stdout).toMatch(/Bayes-optimal AUC 0\.\d{3}/);
    expect(first.stdout).toMatch(/^Next: /m);
  });

  test('same flags give a byte-identical file; another seed gives another file', async () => {
    const [same, other] = await Promise.all([
      generate(flags(7, path.join(workDir, 'same.csv'))),
      generate(flags(8, path.join(workDir, 'other.csv'))),
    ]);
    expect([same.code, other.code]).toEqual([0, 0]);
    expect(readFileSync(path.join(workDir, 'same.csv'), 'utf8')).toBe(text);
    expect(readFileSync(path.join(workDir, 'other.csv'), 'utf8')).not.toBe(text);
  });

  test('--help prints the usage and exits 0', async () => {
    const help = await generate(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm run dataset -- --rows N --seed S --out FILE/);
  });
});

describe('bad flags: exit 2, one line saying why, the usage, no file', () => {
  const plainFile = path.join(workDir, 'plain-file');
  writeFileSync(plainFile, '');
  const underPlainFile = path.join(plainFile, 'x.csv');

  const cases: [string, Record<string, string>, string][] = [
    ['non-numeric rows', { rows: 'many' }, "--rows must be a whole number from 1 to 1,000,000,000, got 'many'"],
    ['zero rows', { rows: '0' }, "--rows must be a whole number from 1 to 1,000,000,000, got '0'"],
    ['negative rows', { rows: '-5' }, "--rows must be a whole number from 1 to 1,000,000,000, got '-5'"],
    ['an impossible date', { start: '2023-02-30' }, "--start must be a real date written YYYY-MM-DD, got '2023-02-30'"],
    ['end before start', { start: '2024-01-02', end: '2024-01-01' }, '--end 2024-01-01 is before --start 2024-01-02'],
    ['an unknown flag', { colour: 'red' }, 'unknown flag --colour'],
    [
      'a missing directory',
      { out: '/nonexistent-dir/x.csv' },
      'cannot write --out /nonexistent-dir/x.csv: its directory does not exist',
    ],
    [
      'a path under a file',
      { out: underPlainFile },
      `cannot write --out ${underPlainFile}: a parent path is not a directory`,
    ],
  ];
  // All runs are queued at once and run in turn (helpers/child-process.ts); each test waits for its own.
  const runs = new Map<string, { caseDir: string; run: Promise<ChildRun> }>();
  beforeAll(() => {
    for (const [name, overrides] of cases) {
      const caseDir = emptyDir();
      runs.set(name, { caseDir, run: generate(cliFlags({ rows: '100', seed: '1', out: path.join(caseDir, 'out.csv'), ...overrides })) });
    }
  });

  test.each(cases)('%s', async (name, _overrides, message) => {
    const { caseDir, run: running } = runs.get(name)!;
    const run = await running;

    const [firstLine, ...usage] = run.stderr.split('\n');
    expect(run.code).toBe(2);
    expect(firstLine).toBe(`error: ${message}`);
    expect(usage.join('\n')).toMatch(/^\nUsage: /);
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(run.stdout).toBe('');
    expect(readdirSync(caseDir)).toEqual([]);
  });
});

test('an interrupted run leaves nothing behind', async () => {
  const caseDir = emptyDir();
  const run = await generate(['--rows', '50000000', '--seed', '1', '--out', path.join(caseDir, 'big.csv')], (child) => {
    const waitForTemporaryFile = setInterval(() => {
      if (readdirSync(caseDir).length > 0) {
        clearInterval(waitForTemporaryFile);
        child.kill('SIGINT');
      }
    }, 20);
  });
  expect(run.code).toBe(130);
  expect(run.stderr).toBe('interrupted: nothing written\n');
  expect(readdirSync(caseDir)).toEqual([]);
});

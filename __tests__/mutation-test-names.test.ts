import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Plain JavaScript (jest loads the mutation sequencer untransformed), so no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testNames = require('./helpers/mutation-test-names') as {
  recordTestNames(testPath: string, names: string[], durationMs: number): void;
  readTestNames(): Recorded;
  filterByTestNames<T extends { path: string }>(tests: T[], pattern: string | undefined, recorded: Recorded): T[];
  fastestFirst<T extends { path: string }>(tests: T[], recorded: Recorded): T[];
};
type Recorded = Map<string, { names: string[]; durationMs: number }>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MutationEnvironment = require('./helpers/mutation-environment') as {
  prototype: { handleTestEvent(event: { name: string; test: { mode?: string; errors: unknown[] } }): void };
};

const files = (...paths: string[]) => paths.map((p) => ({ path: p }));
// Stryker's pattern for a mutant: each covering test's full name, regex-escaped, in a group, joined by |.
const strykerPattern = (...names: string[]) => names.map((n) => `(${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`).join('|');

describe('mutation runs load only the test files that hold a covering test', () => {
  const names: Recorded = new Map([
    ['/p/a.test.ts', { names: ['rules a (b) checks c', 'rules a checks d'], durationMs: 900 }],
    ['/p/b.test.ts', { names: ['other e'], durationMs: 80 }],
  ]);

  it('keeps the files with a matching test, and files it has no names for', () => {
    const tests = files('/p/a.test.ts', '/p/b.test.ts', '/p/new.test.ts');
    expect(testNames.filterByTestNames(tests, strykerPattern('rules a (b) checks c'), names)).toEqual(files('/p/a.test.ts', '/p/new.test.ts'));
    expect(testNames.filterByTestNames(tests, strykerPattern('other e', 'rules a checks d'), names)).toEqual(tests);
  });

  it('matches as jest does: case-insensitive, anywhere in the full name', () => {
    expect(testNames.filterByTestNames(files('/p/a.test.ts', '/p/b.test.ts'), 'OTHER', names)).toEqual(files('/p/b.test.ts'));
  });

  it('runs everything without a pattern, without names, or when no recorded name matches', () => {
    const tests = files('/p/a.test.ts', '/p/b.test.ts', '/p/new.test.ts');
    expect(testNames.filterByTestNames(tests, undefined, names)).toEqual(tests);
    expect(testNames.filterByTestNames(tests, 'other e', new Map())).toEqual(tests);
    expect(testNames.filterByTestNames(tests, strykerPattern('a renamed test'), names)).toEqual(tests);
  });

  it('runs the fastest files first, and files it has no record of last', () => {
    expect(testNames.fastestFirst(files('/p/new.test.ts', '/p/a.test.ts', '/p/b.test.ts'), names)).toEqual(
      files('/p/b.test.ts', '/p/a.test.ts', '/p/new.test.ts'),
    );
  });

  describe('recording', () => {
    const cwd = process.cwd();
    const worker = process.env.STRYKER_MUTATOR_WORKER;
    let folder: string;
    beforeEach(() => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), 'test-names-'));
      process.chdir(folder);
    });
    afterEach(() => {
      process.chdir(cwd);
      if (worker === undefined) delete process.env.STRYKER_MUTATOR_WORKER;
      else process.env.STRYKER_MUTATOR_WORKER = worker;
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it('under Stryker, keeps the first (complete) run of each file and reads them back', () => {
      process.env.STRYKER_MUTATOR_WORKER = '0';
      testNames.recordTestNames('/p/a.test.ts', ['x', 'y'], 120);
      testNames.recordTestNames('/p/a.test.ts', ['x'], 5);
      testNames.recordTestNames('/p/b.test.ts', ['z'], 40);
      expect(testNames.readTestNames()).toEqual(
        new Map([
          ['/p/a.test.ts', { names: ['x', 'y'], durationMs: 120 }],
          ['/p/b.test.ts', { names: ['z'], durationMs: 40 }],
        ]),
      );
    });

    it('outside Stryker, records and filters nothing', () => {
      delete process.env.STRYKER_MUTATOR_WORKER;
      testNames.recordTestNames('/p/a.test.ts', ['x'], 10);
      expect(fs.readdirSync(folder)).toEqual([]);
      expect(testNames.readTestNames()).toEqual(new Map());
    });
  });
});

describe('mutation runs stop testing a mutant at its first failing test', () => {
  const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
  const saved = process.env[ACTIVE_MUTANT];
  afterEach(() => {
    if (saved === undefined) delete process.env[ACTIVE_MUTANT];
    else process.env[ACTIVE_MUTANT] = saved;
  });

  const test = (errors: unknown[] = []) => ({ errors, mode: undefined as string | undefined });
  /** Starts a test of the mutant run under way, as jest-circus reports it, and finishes it with `errors`. */
  function run(errors: unknown[] = []) {
    const started = test(errors);
    MutationEnvironment.prototype.handleTestEvent({ name: 'test_start', test: started });
    if (started.mode !== 'skip') MutationEnvironment.prototype.handleTestEvent({ name: 'test_done', test: started });
    return started.mode;
  }

  it('skips every later test of the same mutant, in this file or the next, and none of the next mutant', () => {
    process.env[ACTIVE_MUTANT] = '41';
    expect(run()).toBeUndefined();
    expect(run([new Error('expected 1, got 2')])).toBeUndefined();
    expect(run()).toBe('skip');
    expect(run()).toBe('skip');
    process.env[ACTIVE_MUTANT] = '42';
    expect(run()).toBeUndefined();
  });

  it('skips nothing outside a mutant run (plain jest, Stryker\'s first run)', () => {
    delete process.env[ACTIVE_MUTANT];
    expect(run([new Error('failed')])).toBeUndefined();
    expect(run()).toBeUndefined();
  });
});

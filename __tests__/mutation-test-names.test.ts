import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Plain JavaScript (jest loads the mutation sequencer untransformed), so no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testNames = require('./helpers/mutation-test-names') as {
  recordTestNames(testPath: string, names: string[]): void;
  readTestNames(): Map<string, string[]>;
  filterByTestNames<T extends { path: string }>(tests: T[], pattern: string | undefined, names: Map<string, string[]>): T[];
};

const files = (...paths: string[]) => paths.map((p) => ({ path: p }));
// Stryker's pattern for a mutant: each covering test's full name, regex-escaped, in a group, joined by |.
const strykerPattern = (...names: string[]) => names.map((n) => `(${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`).join('|');

describe('mutation runs load only the test files that hold a covering test', () => {
  const names = new Map([
    ['/p/a.test.ts', ['rules a (b) checks c', 'rules a checks d']],
    ['/p/b.test.ts', ['other e']],
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
      testNames.recordTestNames('/p/a.test.ts', ['x', 'y']);
      testNames.recordTestNames('/p/a.test.ts', ['x']);
      testNames.recordTestNames('/p/b.test.ts', ['z']);
      expect(testNames.readTestNames()).toEqual(new Map([['/p/a.test.ts', ['x', 'y']], ['/p/b.test.ts', ['z']]]));
    });

    it('outside Stryker, records and filters nothing', () => {
      delete process.env.STRYKER_MUTATOR_WORKER;
      testNames.recordTestNames('/p/a.test.ts', ['x']);
      expect(fs.readdirSync(folder)).toEqual([]);
      expect(testNames.readTestNames()).toEqual(new Map());
    });
  });
});

/** The per-area mutation score (scripts/mutation/summary.ts) read from Stryker's JSON report. */
import * as fs from 'fs';
import * as path from 'path';
import { AREAS, MutantStatus, MutationReport, ReportMutant, formatScores, scoreByArea, tally, undetected } from '../scripts/mutation/summary';

const mutant = (status: MutantStatus, line = 1, column = 1, replacement = '""'): ReportMutant => ({
  mutatorName: 'StringLiteral',
  replacement,
  status,
  location: { start: { line, column } },
});
const many = (status: MutantStatus, n: number): ReportMutant[] => Array.from({ length: n }, () => mutant(status));

describe('tally', () => {
  test("scores killed and timed-out mutants over those tested or without a test, as Stryker's score does", () => {
    const t = tally([...many('Killed', 6), ...many('Timeout', 1), ...many('Survived', 2), ...many('NoCoverage', 1), ...many('CompileError', 5), ...many('RuntimeError', 1), ...many('Ignored', 4)]);
    expect(t).toEqual({ killed: 6, timedOut: 1, survived: 2, noCoverage: 1, compileErrors: 5, runtimeErrors: 1, ignored: 4, score: 70 });
  });

  test('has no score when nothing was tested', () => {
    expect(tally([...many('CompileError', 2), ...many('Ignored', 1)]).score).toBeNaN();
    expect(tally([]).score).toBeNaN();
  });
});

describe('scoreByArea', () => {
  const report: MutationReport = {
    files: {
      'lambda-src/warehouse.ts': { mutants: [...many('Killed', 9), mutant('Survived')] },
      'lambda-src/sql.ts': { mutants: [...many('Killed', 8), ...many('Survived', 2)] },
      'policy/rules/s3.ts': { mutants: [...many('Killed', 19), mutant('NoCoverage')] },
      'stacks/config.ts': { mutants: [...many('Killed', 3), mutant('Survived')] },
      'scripts/warehouse/setup.ts': { mutants: many('CompileError', 3) },
      'stacks/elsewhere.ts': { mutants: many('Survived', 4) },
    },
  };

  test('groups files by area, checks each against its target, and counts every file overall', () => {
    const scores = scoreByArea(report);
    expect(scores.map((s) => [s.name, s.score, s.met])).toEqual([
      ['lambda-src/', 85, false],
      ['rule pack (policy/)', 95, true],
      ['stacks/config.ts', 75, false],
      ['scripts/warehouse/', NaN, true],
      ['stacks/settings.ts', NaN, true],
      ['overall', (100 * 39) / 48, true],
    ]);
  });

  test('an area exactly at its target meets it', () => {
    const atTarget: MutationReport = { files: { 'lambda-src/a.ts': { mutants: [...many('Killed', 9), mutant('Survived')] } } };
    expect(scoreByArea(atTarget)[0]).toMatchObject({ score: 90, target: 90, met: true });
  });

  test('formats a Markdown table with one row per area and the overall row', () => {
    const table = formatScores(scoreByArea(report)).split('\n');
    expect(table).toHaveLength(2 + AREAS.length + 1);
    expect(table[2]).toBe('| lambda-src/ | 85.0 % | 90 % | MISSED | 17 | 0 | 3 | 0 | 0 | 0 | 0 |');
    expect(table[5]).toBe('| scripts/warehouse/ | n/a | 80 % | met | 0 | 0 | 0 | 0 | 3 | 0 | 0 |');
  });
});

test('undetected lists survivors and uncovered mutants by file, line and column, on one line each', () => {
  const report: MutationReport = {
    files: {
      'policy/b.ts': { mutants: [mutant('Survived', 9, 4, 'a\n  b'), mutant('Killed', 1, 1), mutant('NoCoverage', 3, 7, '{}')] },
      'lambda-src/a.ts': { mutants: [mutant('Survived', 2, 10, 'false')] },
    },
  };
  expect(undetected(report)).toEqual([
    'lambda-src/a.ts:2:10 StringLiteral -> false',
    'policy/b.ts:3:7 StringLiteral -> {} (no test runs this code)',
    'policy/b.ts:9:4 StringLiteral -> a b',
  ]);
});

test("the areas are exactly what stryker.config.json mutates", () => {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'stryker.config.json'), 'utf8')) as { mutate: string[] };
  expect(config.mutate.map((glob) => glob.replace(/\*\*\/\*\.ts$/, ''))).toEqual(AREAS.map((a) => a.prefix));
});

import {
  CROSS_FIELD_RULES,
  FEATURES,
  REMEDIATION_STRATEGIES,
  TABLE_COLUMN_NAMES,
  type LoanApplication,
} from '../lambda-src/features';
import { DEFAULT_END, DEFAULT_NOISE, DEFAULT_START, parseGeneratorArgs, UsageError } from '../scripts/dataset/args';
import { StreamingAuc } from '../scripts/dataset/auc';
import { civilDate, parseIsoDate } from '../scripts/dataset/calendar';
import { CSV_HEADER, CsvChunk, putDate, putDecimal, putInteger, putText } from '../scripts/dataset/csv';
import { customerIds } from '../scripts/dataset/customer-ids';
import { STRATEGY_FITS, successProbability } from '../scripts/dataset/latent-model';
import type { Random } from '../scripts/dataset/random';
import { drawApplication, drawRow } from '../scripts/dataset/rows';
import { rocAuc } from './helpers/dataset-model';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

/** A small seeded generator (mulberry32) standing in for faker, which jest cannot load (ESM-only). */
function testRandom(seed: number): Random {
  let state = seed >>> 0;
  const unit = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (min: number, max: number) => min + Math.floor(unit() * (max - min + 1));
  return { unit, int, pick: (choices) => choices[int(0, choices.length - 1)] };
}

const textOf = (chunk: CsvChunk) => Buffer.from(chunk.bytes()).toString('latin1');

describe('parseGeneratorArgs', () => {
  const required = ['--rows', '10', '--seed', '42', '--out', 'out.csv'];

  test('reads the flags and fills in the defaults', () => {
    expect(parseGeneratorArgs(required)).toEqual({
      rows: 10,
      seed: 42,
      out: 'out.csv',
      firstDay: parseIsoDate(DEFAULT_START),
      lastDay: parseIsoDate(DEFAULT_END),
      noise: DEFAULT_NOISE,
    });
  });

  test('accepts --flag=value and every optional flag', () => {
    expect(
      parseGeneratorArgs([
        '--rows=5',
        '--seed=0',
        '--out=x.csv',
        '--start=2020-02-29',
        '--end',
        '2020-03-01',
        '--noise',
        '0.5',
      ]),
    ).toMatchObject({ rows: 5, seed: 0, out: 'x.csv', firstDay: parseIsoDate('2020-02-29'), noise: 0.5 });
  });

  test('--help wins over everything else', () => {
    expect(parseGeneratorArgs(['--rows', 'abc', '--help'])).toBe('help');
    expect(parseGeneratorArgs(['-h'])).toBe('help');
  });

  test.each([
    [['--rows', 'abc'], "--rows must be a whole number from 1 to 1,000,000,000, got 'abc'"],
    [['--rows', '0'], "--rows must be a whole number from 1 to 1,000,000,000, got '0'"],
    [['--rows', '-5'], "--rows must be a whole number from 1 to 1,000,000,000, got '-5'"],
    [['--rows', '1.5'], "--rows must be a whole number from 1 to 1,000,000,000, got '1.5'"],
    [['--seed', '-1'], "--seed must be a whole number from 0 to 4,294,967,295, got '-1'"],
    [['--start', '2023-02-29'], "--start must be a real date written YYYY-MM-DD, got '2023-02-29'"],
    [['--end', '2023-13-01'], "--end must be a real date written YYYY-MM-DD, got '2023-13-01'"],
    [['--end', '31/12/2023'], "--end must be a real date written YYYY-MM-DD, got '31/12/2023'"],
    [['--start', '2024-01-02', '--end', '2024-01-01'], '--end 2024-01-01 is before --start 2024-01-02'],
    [['--noise', '-1'], "--noise must be a number >= 0, got '-1'"],
    [['--noise', 'lots'], "--noise must be a number >= 0, got 'lots'"],
    [['--bogus', '1'], 'unknown flag --bogus'],
    [['stray'], "unexpected argument 'stray'"],
    [['--rows'], '--rows needs a value'],
  ])('%j is refused: %s', (flags, message) => {
    const argv = [...required.filter((_, i) => !flags.includes(required[i - (i % 2)])), ...flags];
    expect(() => parseGeneratorArgs(argv)).toThrow(new UsageError(message));
  });

  test('a flag given twice is refused', () => {
    expect(() => parseGeneratorArgs([...required, '--rows', '5'])).toThrow('--rows is given more than once');
  });

  test('--rows, --seed and --out are required', () => {
    expect(() => parseGeneratorArgs(['--seed', '1', '--out', 'x'])).toThrow('--rows is required');
    expect(() => parseGeneratorArgs(['--rows', '1', '--out', 'x'])).toThrow('--seed is required');
    expect(() => parseGeneratorArgs(['--rows', '1', '--seed', '1'])).toThrow('--out is required');
  });
});

describe('calendar', () => {
  test('parses real dates only', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(parseIsoDate('2024-02-29')).toBe(19_782);
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2023-04-31')).toBeUndefined();
    expect(parseIsoDate('2023-1-1')).toBeUndefined();
  });

  test('civilDate agrees with Date for every day from 1900 to 2100', () => {
    const wrongDays: string[] = [];
    for (let day = parseIsoDate('1900-01-01')!; day <= parseIsoDate('2100-12-31')!; day++) {
      const date = new Date(day * 86_400_000);
      const { year, month, day: dayOfMonth } = civilDate(day);
      const agrees =
        year === date.getUTCFullYear() && month === date.getUTCMonth() + 1 && dayOfMonth === date.getUTCDate();
      if (!agrees) wrongDays.push(date.toISOString());
    }
    expect(wrongDays).toEqual([]);
  });
});

/** Writes each value with `put`, and a space after it, into a fresh buffer; returns the text. */
function putAll<T>(values: readonly T[], put: (bytes: Uint8Array, at: number, value: T) => number): string {
  const bytes = new Uint8Array(1024);
  const end = values.reduce((at, value) => putText(bytes, put(bytes, at, value), ' '), 0);
  return Buffer.from(bytes.subarray(0, end)).toString('latin1');
}

describe('CSV writing', () => {
  test('writes whole numbers exactly as String() does, up to 2^31 - 1', () => {
    const values = [0, 7, 9, 10, 99, 100, 12_345, 999_999, 1_000_003, 2 ** 31 - 1];
    expect(putAll(values, putInteger)).toBe(`${values.join(' ')} `);
  });

  test('writes decimals with exactly their scale and no float noise', () => {
    const decimals: [number, number][] = [
      [0.07, 2],
      [0.1, 2],
      [0.2, 2],
      [7, 2],
      [0.07 * 100, 2],
      [20, 2],
      [3, 0],
    ];
    expect(putAll(decimals, (bytes, at, [value, scale]) => putDecimal(bytes, at, value, scale))).toBe(
      '0.07 0.10 0.20 7.00 7.00 20.00 3 ',
    );
  });

  test('writes ISO dates', () => {
    const dates = ['0999-12-31', '2018-01-01', '2024-02-29'];
    expect(
      putAll(
        dates.map((d) => parseIsoDate(d)!),
        putDate,
      ),
    ).toBe(`${dates.join(' ')} `);
  });

  test('puts every value of a row under its header column', () => {
    // A row written out by hand with a distinct value in every column, so a swapped or misformatted
    // column shows up as a wrong cell (day 20 000 after 1970-01-01 is 2024-10-04).
    const row = { customerId: 123_456, application: SAMPLE_APPLICATION, successful: true, day: 20_000, probability: 0.5 };
    const chunk = new CsvChunk(4096);
    chunk.appendRow(row);
    const cells = textOf(chunk).trimEnd().split(',');
    expect(CSV_HEADER).toBe(`${TABLE_COLUMN_NAMES.join(',')}\n`);
    expect(Object.fromEntries(TABLE_COLUMN_NAMES.map((name, i) => [name, cells[i]]))).toEqual({
      customer_id: '123456',
      age: '38',
      gender: 'Male',
      income: '41820',
      loan_type: 'Home',
      loan_amount: '221750',
      interest_rate: '0.10',
      loan_term: '58',
      loan_interest_rate: '10.00',
      credit_score: '424',
      employment_status: 'Unemployed',
      marital_status: 'Single',
      remediation_strategy: 'Forbearance',
      missed_payments: '9',
      missed_payments_duration: '10',
      successful: 'true',
      timestamp: '2024-10-04',
    });
    expect(cells).toHaveLength(TABLE_COLUMN_NAMES.length);
  });

  test('reports full before a row could overflow, and starts over after clear()', () => {
    const row = drawRow({ random: testRandom(2), firstDay: 0, lastDay: 100, noise: 1 }, 1);
    const chunk = new CsvChunk(4096);
    let rows = 0;
    while (!chunk.isFull) {
      chunk.appendRow(row);
      rows++;
    }
    expect(chunk.bytes().length).toBeLessThanOrEqual(4096);
    expect(textOf(chunk).split('\n')).toHaveLength(rows + 1);
    chunk.clear();
    expect(chunk.bytes().length).toBe(0);
  });
});

test('customer ids are unique without being remembered', () => {
  const next = customerIds(testRandom(3), 200_000);
  const ids = Array.from({ length: 200_000 }, next);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((id) => id >= 1)).toBe(true);
});

describe('StreamingAuc', () => {
  test('agrees with the exact AUC', () => {
    const random = testRandom(4);
    const auc = new StreamingAuc();
    const scores: number[] = [];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 20_000; i++) {
      const score = random.unit();
      const outcome = random.unit() < score;
      auc.add(score, outcome);
      scores.push(score);
      outcomes.push(outcome);
    }
    expect(auc.value()).toBeCloseTo(rocAuc(scores, outcomes), 4);
  });

  test('is 1 for a perfect score, 0 for a reversed one, 0.5 for ties', () => {
    const perfect = new StreamingAuc();
    const reversed = new StreamingAuc();
    const tied = new StreamingAuc();
    for (const outcome of [true, false, true, false]) {
      perfect.add(outcome ? 1 : 0, outcome);
      reversed.add(outcome ? 0 : 1, outcome);
      tied.add(0.5, outcome);
    }
    expect([perfect.value(), reversed.value(), tied.value()]).toEqual([1, 0, 0.5]);
  });
});

describe('latent model', () => {
  const applications = Array.from({ length: 500 }, (_, i) => drawApplication(testRandom(100 + i)));

  test('a strategy that suits the situation works more often than one that does not', () => {
    for (const application of applications) {
      const suited = REMEDIATION_STRATEGIES.filter((s) =>
        STRATEGY_FITS[s].fits({ ...application, remediation_strategy: s }),
      );
      const unsuited = REMEDIATION_STRATEGIES.filter((s) => !suited.includes(s));
      const probability = (s: (typeof REMEDIATION_STRATEGIES)[number]) =>
        successProbability({ ...application, remediation_strategy: s }, 1);
      for (const good of suited)
        for (const bad of unsuited) expect(probability(good)).toBeGreaterThan(probability(bad));
    }
  });

  test('each strategy suits some customers and not others', () => {
    for (const strategy of REMEDIATION_STRATEGIES) {
      const suits = applications.map((a) => STRATEGY_FITS[strategy].fits(a));
      expect(suits).toContain(true);
      expect(suits).toContain(false);
    }
  });

  test('noise 0 gives certain outcomes; more noise pulls every probability towards 0.5', () => {
    for (const application of applications) {
      expect([0, 0.5, 1]).toContain(successProbability(application, 0));
      const distance = (noise: number) => Math.abs(successProbability(application, noise) - 0.5);
      expect(distance(1)).toBeGreaterThanOrEqual(distance(3));
      expect(distance(0.5)).toBeGreaterThanOrEqual(distance(1));
    }
  });

  test('drawn applications obey the feature ranges and the cross-field rules', () => {
    const problems = applications.flatMap((a) => [
      ...FEATURES.filter((feature) => {
        const value = a[feature.name as keyof LoanApplication];
        return feature.kind === 'category'
          ? !(feature.categories as readonly unknown[]).includes(value)
          : !(Number(value) >= feature.min && Number(value) <= feature.max);
      }).map((feature) => `${feature.name} out of range in ${JSON.stringify(a)}`),
      ...CROSS_FIELD_RULES.map((rule) => rule.check(a)).filter((message) => message !== undefined),
    ]);
    expect(problems).toEqual([]);
  });
});

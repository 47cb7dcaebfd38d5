/**
 * Reads Stryker's JSON report (mutation-testing-report-schema: `files[path].mutants[]` with a
 * `status` each) and scores it per area of the project, against the targets the project holds
 * itself to. Stryker's own table scores files and folders; the areas here are what the targets
 * are about (the Lambda's code, the rule pack, the configuration reader, the warehouse commands).
 */

/** What a mutant's status can be, as the report schema (1.x/2.x/3.x) names it. */
export type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Timeout' | 'Ignored' | 'Pending';

export interface ReportMutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: MutantStatus;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly ReportMutant[] }>>;
}

export interface Area {
  readonly name: string;
  /** Files whose path starts with this belong to the area. */
  readonly prefix: string;
  /** Lowest acceptable mutation score, in percent. */
  readonly target: number;
}

/** The areas `npm run test:mutation` mutates (stryker.config.json's `mutate`), with their targets. */
export const AREAS: readonly Area[] = [
  { name: 'lambda-src/', prefix: 'lambda-src/', target: 90 },
  { name: 'rule pack (policy/)', prefix: 'policy/', target: 90 },
  { name: 'stacks/config.ts', prefix: 'stacks/config.ts', target: 80 },
  { name: 'scripts/warehouse/', prefix: 'scripts/warehouse/', target: 80 },
  { name: 'stacks/settings.ts', prefix: 'stacks/settings.ts', target: 80 },
];
export const OVERALL_TARGET = 80;

export interface Tally {
  readonly killed: number;
  readonly timedOut: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly compileErrors: number;
  readonly runtimeErrors: number;
  readonly ignored: number;
  /**
   * Stryker's mutation score: killed and timed-out mutants over every mutant that was tested or had
   * no test (compile errors, runtime errors and ignored mutants are not counted). NaN when none.
   */
  readonly score: number;
}

export function tally(mutants: readonly ReportMutant[]): Tally {
  const count = (status: MutantStatus): number => mutants.filter((m) => m.status === status).length;
  const killed = count('Killed');
  const timedOut = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const detected = killed + timedOut;
  const valid = detected + survived + noCoverage;
  return {
    killed,
    timedOut,
    survived,
    noCoverage,
    compileErrors: count('CompileError'),
    runtimeErrors: count('RuntimeError'),
    ignored: count('Ignored'),
    score: valid === 0 ? NaN : (100 * detected) / valid,
  };
}

export interface AreaScore extends Tally {
  readonly name: string;
  readonly target: number;
  readonly met: boolean;
}

const scored = (name: string, target: number, mutants: readonly ReportMutant[]): AreaScore => {
  const t = tally(mutants);
  return { name, target, ...t, met: !(t.score < target) };
};

/** Each area's score and the overall one (last); files outside every area count only overall. */
export function scoreByArea(report: MutationReport, areas: readonly Area[] = AREAS): AreaScore[] {
  const entries = Object.entries(report.files);
  const all = entries.flatMap(([, file]) => file.mutants);
  return [
    ...areas.map((area) => scored(area.name, area.target, entries.filter(([name]) => name.startsWith(area.prefix)).flatMap(([, f]) => f.mutants))),
    scored('overall', OVERALL_TARGET, all),
  ];
}

/** Mutants no test noticed, as `file:line:column Mutator -> replacement`, in file order. */
export function undetected(report: MutationReport): string[] {
  return Object.entries(report.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, file]) =>
      file.mutants
        .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
        .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
        .map((m) => {
          const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80);
          const how = m.status === 'NoCoverage' ? ' (no test runs this code)' : '';
          return `${name}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} -> ${replacement}${how}`;
        }),
    );
}

const percent = (score: number): string => (Number.isNaN(score) ? 'n/a' : `${score.toFixed(1)} %`);

/** The per-area table as Markdown (what BENCHMARKS.md records). */
export function formatScores(scores: readonly AreaScore[]): string {
  const rows = scores.map(
    (s) =>
      `| ${s.name} | ${percent(s.score)} | ${s.target} % | ${s.met ? 'met' : 'MISSED'} | ${s.killed} | ${s.timedOut} | ${s.survived} | ${s.noCoverage} | ${s.compileErrors} | ${s.runtimeErrors} | ${s.ignored} |`,
  );
  return [
    '| area | score | target | | killed | timed out | survived | no coverage | compile errors | runtime errors | ignored (static) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

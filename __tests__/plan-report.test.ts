/**
 * The plan report (npm run plan:report), on real plans: Terraform 1.11.4 plans of every kind the
 * report must not misread (fixtures/plans/terraform, made by generate.ts) and HashiCorp's own plan
 * JSON fixtures (fixtures/plans/upstream); one block per defect the report once had. The report of the
 * project's own stacks, planned offline, is tested in plan-end-to-end.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../scripts/plan/markdown';
import { MASKED, SENSITIVE, maskSecrets } from '../scripts/plan/mask';
import { loadPlans, loadReport, reportMain } from '../scripts/plan/report-command';
import { PlanReport, buildReport, summaryJson } from '../scripts/plan/report';
import { planStack } from '../scripts/plan/stack-plan';
import { TERRAFORM_MISSING, terraform, terraformVersion, writeCliConfig } from '../scripts/lib/terraform';

const fixtures = path.join(__dirname, 'fixtures', 'plans');
const real = (name: string) => path.join(fixtures, 'terraform', name);
const upstream = (name: string) => path.join(fixtures, 'upstream', name);
const synthFixture = path.join(fixtures, 'synth');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-report-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI in-process; returns its exit code and what it printed. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reportMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const reportOf = (dir: string) => loadReport(dir, synthFixture);
const commentOf = (dir: string) => renderMarkdown(reportOf(dir), { limit: GITHUB_COMMENT_LIMIT });
const countsOf = (dir: string) => summaryJson(reportOf(dir)).stacks[0];

/** A folder with one fixture's files copied under the given names. */
function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'input-'));
  for (const [name, source] of Object.entries(files)) fs.copyFileSync(source, path.join(dir, name));
  return dir;
}

/** Plans a `terraform_data` configuration for real (no provider download, no cloud) into a plan folder. */
function planTerraformData(config: string, planArgs: string[] = [], before?: string): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'tf-'));
  terraform(dir, ['init', '-input=false']);
  if (before) {
    fs.writeFileSync(path.join(dir, 'main.tf'), before);
    terraform(dir, ['apply', '-auto-approve', '-input=false']);
  }
  fs.writeFileSync(path.join(dir, 'main.tf'), config);
  const outDir = path.join(dir, 'plans');
  fs.mkdirSync(outDir);
  planStack({ stack: 'network', dir, outDir, upstream: [], stateDir: dir, planArgs });
  return outDir;
}

beforeAll(() => {
  if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
  writeCliConfig();
});

// Defect 1: an errored plan was published as a normal plan with exit 0.
describe('a plan that failed', () => {
  test('is refused: exit 1, the table says so, and the comment carries Terraform’s diagnostics', async () => {
    const md = path.join(scratch, 'errored.md');
    const summary = path.join(scratch, 'errored.json');
    const result = await cli(
      '--plans',
      real('errored'),
      '--synth-dir',
      synthFixture,
      '--out',
      md,
      '--summary',
      summary,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: no reviewable plan for network (plan failed): the report shows Terraform's diagnostics",
    );
    const comment = fs.readFileSync(md, 'utf8');
    expect(comment).toContain('| `network` | – | – | – | – | **plan failed**: see below |');
    expect(comment).toContain('**No reviewable plan: 1 stack(s) did not plan (`network`).**');
    expect(comment).toContain('Error: Unable to find remote state');
    expect(comment).toContain('No stored state was found for the given workspace in the given backend.');
    expect(comment).not.toContain('No changes.');
    expect(JSON.parse(fs.readFileSync(summary, 'utf8')).stacks[0]).toMatchObject({
      stack: 'network',
      status: 'failed',
    });
  });

  test("Terraform's own errored plan JSON, without saved diagnostics, is refused too", async () => {
    const result = await cli('--plans', upstream('terraform-plan-error'), '--synth-dir', synthFixture);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('its diagnostics were not saved');
  });
});

// Defect 2: imports, moves, forgets and deposed objects were invisible or misread.
describe('imports, moves, forgets and deposed objects, in Terraform’s terms', () => {
  test('an import-only plan counts the import and is not "No changes"', () => {
    expect(countsOf(real('import'))).toMatchObject({ add: 0, change: 0, import: 1, move: 0, forget: 0 });
    const comment = commentOf(real('import'));
    expect(comment).toContain('**1 stack(s): 1 to import, 0 to add, 0 to change, 0 to replace, 0 to destroy.**');
    expect(comment).toContain('| stack | add | change | replace | destroy | import | note |');
    expect(comment).toContain('# terraform_data.legacy will be imported');
    expect(comment).not.toContain('No changes');
  });

  test.each([
    ['a generated move-only plan', real('move'), 'terraform_data.old_name has moved to terraform_data.new_name', 0],
    [
      "terraform-json's move-only plan",
      upstream('terraform-json-moved-block'),
      'random_id.test has moved to random_id.test2',
      0,
    ],
    ["Terraform's move with an update", upstream('terraform-moved'), 'test_instance.baz will be updated in-place', 1],
  ])('%s counts the move', (_, dir, line, changes) => {
    expect(countsOf(dir)).toMatchObject({ move: 1, change: changes, add: 0, destroy: 0 });
    const comment = commentOf(dir);
    expect(comment).toContain(line);
    expect(comment).not.toContain('No changes');
  });

  test('a forget is counted as a forget, and is not warned about as a destroy', () => {
    expect(countsOf(real('forget'))).toMatchObject({ forget: 1, destroy: 0 });
    const comment = commentOf(real('forget'));
    expect(comment).toContain('will no longer be managed by Terraform, but will not be destroyed');
    expect(comment).not.toContain('[!CAUTION]');
  });

  test('a deposed object is named as the deposed object, not as the live resource', () => {
    expect(countsOf(real('deposed'))).toMatchObject({ replace: 1, destroy: 1 });
    const warnings = reportOf(real('deposed')).destructive;
    expect(warnings).toEqual([
      expect.objectContaining({
        address: 'terraform_data.blue_green',
        kind: 'replace',
        reason: expect.stringContaining('tainted'),
      }),
      expect.objectContaining({
        address: expect.stringMatching(/^terraform_data\.blue_green \(deposed object [0-9a-f]{8}\)$/),
        kind: 'destroy',
        reason: expect.stringContaining(
          'deposed object: left over from a partially-failed create_before_destroy replacement',
        ),
      }),
    ]);
    expect(commentOf(real('deposed'))).toContain('# (left over from a partially-failed replacement of this instance)');
  });

  test("terraform-json's tainted replacement is a replace with Terraform's reason", () => {
    expect(reportOf(upstream('terraform-json-action-reason')).destructive).toEqual([
      expect.objectContaining({ kind: 'replace', reason: expect.stringContaining('`replace_because_tainted`') }),
    ]);
  });

  test('without rendered text, details still name every object in Terraform’s words', () => {
    const dir = folder({ 'network.json': path.join(real('deposed'), 'network.json') });
    expect(reportOf(dir).stacks[0].details).toEqual([
      '  # terraform_data.blue_green is tainted, so must be replaced',
      expect.stringMatching(/^ {2}# terraform_data\.blue_green \(deposed object [0-9a-f]{8}\) will be destroyed$/),
      '  # (left over from a partially-failed replacement of this instance)',
    ]);
  });
});

// Defect 3: unknown parts of a value read as null, or vanished with their key.
describe('values partly unknown', () => {
  test('unknown list elements and object attributes read "(known after apply)" in place', () => {
    const details = reportOf(real('unknown-parts')).stacks[0].details.join('\n');
    expect(details).toContain('  + list   = [\n      + "a",\n      + (known after apply),\n      + "b",\n    ]');
    expect(details).toContain('  + object = {\n      + a = "x"\n      + b = (known after apply)\n    }');
    expect(details).toContain('+ later = (known after apply)');
    expect(details).not.toContain('null');
  });
});

// Defect 4: the comment once exceeded GitHub's limit by one character (the newline before the details).
test('the comment never exceeds its limit: every limit from the header alone to the whole report', () => {
  const file = (name: string, ext: string) => path.join(real(name), `network.${ext}`);
  const dir = folder({
    'network.json': file('nested-update', 'json'),
    'network.txt': file('nested-update', 'txt'),
    'redshift.json': file('masking', 'json'),
    'redshift.txt': file('masking', 'txt'),
    'api.json': file('deposed', 'json'),
    'api.txt': file('deposed', 'txt'),
  });
  const report = reportOf(dir);
  const full = renderMarkdown(report).length;
  for (let limit = 1_200; limit <= full + 1; limit++) {
    const comment = renderMarkdown(report, { limit, fullReport: 'the job summary' });
    if (comment.length > limit) throw new Error(`limit ${limit}: ${comment.length} characters`);
    if ((comment.match(/```/g) ?? []).length % 2 !== 0) throw new Error(`limit ${limit}: a fence left open`);
    if (!comment.includes('(deposed object')) throw new Error(`limit ${limit}: a destroy is not named`);
  }
  expect(renderMarkdown(report, { limit: full })).toBe(renderMarkdown(report));
  expect(renderMarkdown(report, { limit: full - 1 })).toMatch(
    /more line\(s\) cut: see the full report\n```\n<\/details>\n\n\*\*Cut to fit/,
  );
});

// Defect 5: a plan for a stack that is not in the manifest was ignored silently.
test('a plan file for a stack the app does not have is refused with one line', async () => {
  const dir = folder({
    'network.json': path.join(real('import'), 'network.json'),
    'billing.json': path.join(real('import'), 'network.json'),
  });
  const result = await cli('--plans', dir, '--synth-dir', synthFixture);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^error: .*billing\.json is for a stack named "billing", which the synthesized app does not have \(network, redshift, api\)/,
  );
  expect(result.stderr.split('\n')).toHaveLength(1);
});

// Defect 6: a lone destructive change could vanish into "... and 1 more" when its warning was huge.
describe('every destroy and replace is named, whatever else is cut', () => {
  test('a lone replace whose address alone is longer than the limit is still named', () => {
    const key = 'k'.repeat(70_000);
    const dir = planTerraformData(
      `resource "terraform_data" "shard" {\n  for_each = toset(["${key}"])\n  input    = each.key\n}`,
      [`-replace=terraform_data.shard["${key}"]`],
      `resource "terraform_data" "shard" {\n  for_each = toset(["${key}"])\n  input    = each.key\n}`,
    );
    const report = loadReport(dir, synthFixture);
    expect(report.destructive).toHaveLength(1);
    const comment = renderMarkdown(report, { limit: GITHUB_COMMENT_LIMIT });
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toContain('**1 resource(s) will be destroyed or replaced.**');
    expect(comment).toMatch(
      /> - `network`: `terraform_data\.shard\["k{250,}… \(\d+ characters\)` \*\*replaced\*\*: replacement was requested with -replace/,
    );
    expect(comment).not.toContain('more: see the full report');
  }, 60_000);

  const destroys = (count: number, reason: string): PlanReport =>
    buildReport([
      {
        stack: 'network',
        plan: {
          format_version: '1.2',
          resource_changes: Array.from({ length: count }, (_, i) => ({
            address: `aws_s3_bucket_lifecycle_configuration.retention_rule_for_partition[${i}]`,
            mode: 'managed' as const,
            type: 'aws_s3_bucket_lifecycle_configuration',
            action_reason: reason,
            change: { actions: ['delete' as const], before: {}, after: null },
          })),
        },
      },
    ]);

  test('when the reasons do not fit, every name still does', () => {
    const comment = renderMarkdown(destroys(500, 'x'.repeat(400)), { limit: GITHUB_COMMENT_LIMIT });
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    for (const i of [0, 250, 499]) expect(comment).toContain(`retention_rule_for_partition[${i}]\` (destroyed)`);
    expect(comment).toContain('> Reasons: see the full report.');
  });

  test('only when the names alone exceed the limit are the rest counted', () => {
    const comment = renderMarkdown(destroys(2_500, 'delete_because_count_index'), { limit: GITHUB_COMMENT_LIMIT });
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toContain('**2500 resource(s) will be destroyed or replaced.**');
    const named = comment.match(/retention_rule_for_partition\[\d+\]/g)!.length;
    expect(named).toBeGreaterThan(500);
    expect(comment).toContain(`> - ... and ${2_500 - named} more: see the full report`);
  });
});

// Defect 7: the secret heuristic masked ordinary names.
describe('masking', () => {
  const comment = commentOf(real('masking'));

  test('what Terraform marks sensitive is never shown', () => {
    expect(comment).toContain(`+ input  = ${SENSITIVE}`);
    expect(comment).not.toContain('Sensitive-Var-Value-1');
  });

  test('unmistakable secret shapes are masked', () => {
    for (const secret of [
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'Hunter2Secret',
      'MIIEowIBAAKCAQEAexample',
    ]) {
      expect(comment).not.toContain(secret);
    }
    expect(comment).toContain(`database_url  = "postgres://etl_user:${MASKED}@db.internal:5439/loans"`);
  });

  test('names with mixed case and digits are shown as they are', () => {
    for (const name of [
      '/aws/lambda/LoanRemediationPredict2024',
      '/service-role/RedshiftMlTrainer2/',
      'Exports/2024/Q3/LoanRemediationData2024v2.csv',
      'Release2024R1AbCdEfGh12345678901234',
    ]) {
      expect(comment).toContain(name);
    }
  });

  test.each([
    ['a temporary key id', 'ASIAY34FZKBOKMUTVV7A', MASKED],
    ['a fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', MASKED],
    [
      'a JSON web token',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      MASKED,
    ],
    ['a cut-off private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk', MASKED],
    [
      'a 40-character mixed-case name',
      'LoanRemediationModelTrainingRun2024Aug01',
      'LoanRemediationModelTrainingRun2024Aug01',
    ],
    ['a hex asset hash', '0123456789abcdef0123456789abcdef', '0123456789abcdef0123456789abcdef'],
  ])('maskSecrets on %s', (_, input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });
});

// Defect 8: details were a flattened JSON diff cut at 160 characters.
test('details are Terraform’s own rendering: nested, only what changes, with its markers', () => {
  const details = reportOf(real('nested-update')).stacks[0].details.join('\n');
  expect(details).toContain('  # terraform_data.bucket_policy will be updated in-place');
  expect(details).toContain('~ id   = "retention-30-days" -> "retention-90-days"');
  expect(details).toContain('# (1 unchanged attribute hidden)');
  expect(details).toMatch(/~ lifecycle {3}= \{\n {14}~ rules = \[/);
});

test('the settings section is shown whole before the details, and says so when even it cannot fit', () => {
  const report = reportOf(real('import'));
  const settings = '### Settings: `settings/prod.env`\n\n```diff\n-A=1\n+A=2\n```\n';
  const comment = renderMarkdown(report, { settings });
  expect(comment).toContain(settings);
  expect(comment.indexOf('+A=2')).toBeLessThan(comment.indexOf('### Details'));
  const huge = `### Settings\n${'x'.repeat(30_000)}\n`;
  const cut = renderMarkdown(report, { settings: huge, limit: 20_000 });
  expect(cut.length).toBeLessThanOrEqual(20_000);
  expect(cut).not.toContain('x'.repeat(30_000));
  expect(cut).toMatch(/The settings section \(\d+ characters\) did not fit: see the full report\./);
});

describe('no changes (fixture)', () => {
  test('the table shows zeros, no warning, and says there are no changes', () => {
    const report = reportOf(path.join(fixtures, 'no-changes'));
    expect(summaryJson(report).stacks.map((s) => [s.stack, s.add + s.change + s.replace + s.destroy])).toEqual([
      ['network', 0],
      ['redshift', 0],
    ]);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('No changes. The infrastructure matches the configuration.');
    expect(markdown).not.toContain('[!CAUTION]');
    expect(markdown).not.toContain('<details>');
  });
});

describe('bad input: exit 1 with one line', () => {
  test.each([
    [
      'a missing folder',
      () => ['--plans', path.join(scratch, 'nope'), '--synth-dir', synthFixture],
      /--plans .* is not a folder/,
    ],
    ['no manifest', () => ['--plans', real('import'), '--synth-dir', scratch], /cannot read .*manifest\.json/],
    [
      'no plan files',
      () => ['--plans', fixtures, '--synth-dir', synthFixture],
      /no plan files in .*: expected <stack>\.json/,
    ],
    [
      'a file that is not JSON',
      () => [...planDir('network.json', 'Plan: 1 to add'), '--synth-dir', synthFixture],
      /network\.json is not JSON/,
    ],
    [
      'a state file instead of a plan',
      () => [...planDir('network.json', '{"format_version":"1.0","values":{}}'), '--synth-dir', synthFixture],
      /is a state, not a plan/,
    ],
  ])('%s', async (_, argv, message) => {
    const result = await cli(...argv());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  test('bad flags exit 2 with usage; --help exits 0', async () => {
    expect(await cli('--plan', 'x')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage: npm run plan:report'),
    });
    expect(await cli()).toMatchObject({ code: 2, stderr: expect.stringContaining('--plans <dir> is required') });
    expect(await cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('--summary <file.json>') });
  });

  test('loadPlans reads meta.json for the stacks planned against planned outputs', () => {
    const dir = folder({ 'redshift.json': path.join(real('import'), 'network.json') });
    fs.writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({
        plannedAgainst: { redshift: { upstream: ['network'], placeholders: [] } },
        skipped: { api: '`redshift` did not plan' },
      }),
    );
    expect(loadPlans(dir, synthFixture).map((p) => [p.stack, p.plannedAgainst?.upstream, p.skipped])).toEqual([
      ['redshift', ['network'], undefined],
      ['api', undefined, '`redshift` did not plan'],
    ]);
  });
});

function planDir(file: string, content: string): string[] {
  const dir = fs.mkdtempSync(path.join(scratch, 'input-'));
  fs.writeFileSync(path.join(dir, file), content);
  return ['--plans', dir];
}

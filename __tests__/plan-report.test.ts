/**
 * The plan report (npm run plan:report): on a real plan of the network stack made offline with dummy
 * credentials, and on fixtures for destroy/replace, sensitive values, a stack too big for one
 * comment, provisional downstream stacks and no changes.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { GITHUB_COMMENT_LIMIT, COMMENT_MARKER, renderMarkdown } from '../scripts/plan/markdown';
import { MASKED, SENSITIVE, maskSecrets } from '../scripts/plan/mask';
import { loadReport, reportMain } from '../scripts/plan/report-command';
import { buildReport, summaryJson } from '../scripts/plan/report';
import { TERRAFORM_MISSING, offlinePlan, terraform, terraformVersion, writeCliConfig } from '../scripts/lib/terraform';

const fixtures = path.join(__dirname, 'fixtures', 'plans');
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

describe('a real plan of the network stack (terraform show -json, made offline)', () => {
  let outdir: string;
  let resourceCount: number;

  beforeAll(() => {
    if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
    writeCliConfig();
    outdir = path.join(scratch, 'synth');
    const app = new App({ outdir });
    buildStacks(app, loadConfig({}));
    app.synth();
    const stackDir = path.join(outdir, 'stacks', 'network');
    resourceCount = offlinePlan(stackDir).plannedAddresses.length;
    fs.mkdirSync(path.join(scratch, 'real'));
    fs.writeFileSync(
      path.join(scratch, 'real', 'network.json'),
      terraform(stackDir, ['show', '-json', 'offline.tfplan']).output,
    );
  }, 180_000);

  test('the CLI writes the comment and the summary JSON and exits 0', async () => {
    const md = path.join(scratch, 'real.md');
    const summary = path.join(scratch, 'real-summary.json');
    const result = await cli(
      '--plans',
      path.join(scratch, 'real'),
      '--synth-dir',
      outdir,
      '--out',
      md,
      '--summary',
      summary,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(summary, 'utf8'))).toEqual({
      stacks: [{ stack: 'network', add: resourceCount, change: 0, replace: 0, destroy: 0, provisional: false }],
    });
    const comment = fs.readFileSync(md, 'utf8');
    expect(resourceCount).toBeGreaterThan(20);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment).toContain(`| \`network\` | ${resourceCount} | 0 | 0 | 0 | no |`);
    expect(comment).toContain('+   aws_vpc.vpc (create)');
    expect(comment).toContain('cidr_block = "10.80.0.0/20"');
    expect(comment).not.toContain('[!CAUTION]');
  });

  test("cdktf's cross-stack outputs are sensitive in the plan, so their values are never shown", async () => {
    const report = loadReport(path.join(scratch, 'real'), outdir);
    const crossStack = report.stacks[0].outputs.filter((o) => o.address.includes('cross-stack-output'));
    expect(crossStack.length).toBeGreaterThan(3);
    for (const output of crossStack) expect(output.attributes.map((a) => a.after)).toEqual([SENSITIVE]);
  });
});

describe('destroy and replace (fixture)', () => {
  const report = loadReport(path.join(fixtures, 'destructive'), synthFixture);
  const markdown = renderMarkdown(report);

  test('counts: replace in either order, pure deletes, in-place updates; no-op and read not counted', () => {
    expect(summaryJson(report).stacks).toEqual([
      { stack: 'network', add: 0, change: 1, replace: 2, destroy: 1, provisional: false },
      { stack: 'redshift', add: 0, change: 1, replace: 0, destroy: 0, provisional: true },
      { stack: 'api', add: 0, change: 0, replace: 0, destroy: 0, provisional: true },
    ]);
  });

  test('a loud warning names every destroyed or replaced resource with Terraform’s reason', () => {
    const warning = markdown.slice(markdown.indexOf('[!CAUTION]'), markdown.indexOf('### Details'));
    expect(warning).toContain('**3 resource(s) will be destroyed or replaced.**');
    expect(warning).toContain(
      '`network`: `aws_vpc.vpc` **replaced**: an argument that cannot be updated in place changed (`replace_because_cannot_update`) forced by `cidr_block`',
    );
    expect(warning).toContain(
      '`network`: `aws_s3_bucket.old-exports` **destroyed**: the resource was removed from the configuration',
    );
    expect(warning).toContain(
      '`aws_security_group.redshift-security-group` **replaced**: a replace_triggered_by reference changed',
    );
  });

  test('details list each changed address with its changed attributes, before -> after', () => {
    expect(markdown).toContain('-/+ aws_vpc.vpc (replace)');
    expect(markdown).toContain('cidr_block = "10.80.0.0/20" -> "10.90.0.0/20"   # forces replacement');
    expect(markdown).toContain('id = "vpc-0abc" -> (known after apply)');
    expect(markdown).not.toMatch(/^\s+tags = /m); // unchanged attributes are left out
    expect(markdown).toContain('retention_in_days = 365 -> 400');
    expect(markdown).not.toContain('aws_s3_bucket.dataset-bucket'); // no-op
    expect(markdown).not.toContain('flow-log-trust'); // data-source read
  });

  test('a downstream stack is provisional when a stack it depends on, directly or not, changes', () => {
    expect(markdown).toContain('| `redshift` | 0 | 1 | 0 | 0 | **yes**: `network` change(s) first |');
    expect(markdown).toContain('| `api` | 0 | 0 | 0 | 0 | **yes**: `redshift`, `network` change(s) first |');
    expect(markdown).toContain('[!NOTE]');
  });

  test('without the upstream plan in the set, a stack is not provisional', () => {
    const dir = path.join(scratch, 'downstream-only');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(fixtures, 'destructive', 'redshift.json'), path.join(dir, 'redshift.json'));
    expect(summaryJson(loadReport(dir, synthFixture)).stacks).toEqual([
      { stack: 'redshift', add: 0, change: 1, replace: 0, destroy: 0, provisional: false },
    ]);
  });
});

describe('sensitive values (fixture)', () => {
  const markdown = renderMarkdown(loadReport(path.join(fixtures, 'sensitive'), synthFixture));

  test('values marked sensitive in resources and outputs are never shown', () => {
    for (const secret of [
      'OldPassw0rd',
      'NewPassw0rd',
      'not-shown-because-marked',
      'OldOutputSecret',
      'NewOutputSecret',
    ]) {
      expect(markdown).not.toContain(secret);
    }
    expect(markdown).toContain(`secret_string = ${SENSITIVE} -> ${SENSITIVE}`);
    expect(markdown).toContain(`value = ${SENSITIVE}`);
    expect(markdown).toContain('version_id = null -> (known after apply)');
  });

  test('values that look like secrets are masked even when Terraform does not mark them', () => {
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'hunter2', '3f2a9c4e8b7d', 'MIIEowIBAAKCAQEA']) {
      expect(markdown).not.toContain(secret);
    }
    expect(markdown).toContain(`postgres://etl_user:${MASKED}@db.internal:5439/loans`);
    expect(markdown).toContain('"owner":"data-platf'); // kept (the value is shortened at 160 characters)
    expect(markdown).toContain('output.vpc_id (create)');
  });

  test.each([
    ['an access key id', 'key AKIAIOSFODNN7EXAMPLE here', `key ${MASKED} here`],
    ['a temporary key id', 'ASIAY34FZKBOKMUTVV7A', MASKED],
    ['a secret access key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', MASKED],
    ['a password in a URL', 'https://admin:s3cr3t@example.com/x', `https://admin:${MASKED}@example.com/x`],
    ['a cut-off private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk', MASKED],
    ['a hex token', 'token=0123456789abcdef0123456789abcdef', `token=${MASKED}`],
  ])('maskSecrets hides %s', (_, input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  test.each([
    'arn:aws:s3:::loan-remediation-dev-dataset-access-logs',
    'loan-remediation-dev-redshift-ml-artifacts-bucket',
    'https://example.com/no/password/here',
  ])('maskSecrets leaves ordinary values alone: %s', (value) => {
    expect(maskSecrets(value)).toBe(value);
  });
});

describe('a stack too big for one comment', () => {
  const bigDir = path.join(scratch, 'big');
  const resources = 4000;
  beforeAll(() => {
    fs.mkdirSync(bigDir);
    const resourceChanges = Array.from({ length: resources }, (_, i) => ({
      address: `aws_s3_object.part[${i}]`,
      mode: 'managed',
      type: 'aws_s3_object',
      name: 'part',
      change: {
        actions: ['create'],
        before: null,
        after: { bucket: 'lr-dev-dataset', key: `parts/part-${i}.csv`, content_type: 'text/csv' },
        after_unknown: { etag: true },
        before_sensitive: false,
        after_sensitive: {},
      },
    }));
    const destroy = {
      address: 'aws_s3_bucket.legacy',
      mode: 'managed',
      type: 'aws_s3_bucket',
      name: 'legacy',
      action_reason: 'delete_because_no_resource_config',
      change: {
        actions: ['delete'],
        before: { bucket: 'legacy' },
        after: null,
        before_sensitive: {},
        after_sensitive: false,
      },
    };
    const plan = { format_version: '1.2', resource_changes: [...resourceChanges, destroy], output_changes: {} };
    fs.writeFileSync(path.join(bigDir, 'network.json'), JSON.stringify(plan));
    fs.copyFileSync(path.join(fixtures, 'destructive', 'redshift.json'), path.join(bigDir, 'redshift.json'));
  });

  test('the comment fits GitHub’s limit, keeps the summary and every warning, and says where the full report is', async () => {
    const out = path.join(scratch, 'big.md');
    const full = path.join(scratch, 'big-full.md');
    const result = await cli(
      '--plans',
      bigDir,
      '--synth-dir',
      synthFixture,
      '--out',
      out,
      '--full-out',
      full,
      '--full-report',
      'the job summary of this run',
    );
    expect(result.code).toBe(0);
    const comment = fs.readFileSync(out, 'utf8');
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toContain(`| \`network\` | ${resources} | 0 | 0 | 1 | no |`);
    expect(comment).toContain('| `redshift` | 0 | 1 | 0 | 0 | **yes**: `network` change(s) first |');
    expect(comment).toContain('`network`: `aws_s3_bucket.legacy` **destroyed**');
    expect(comment).toMatch(/\.\.\. \d+ more line\(s\) of network cut: see the full report/);
    expect(comment).toContain('Full report: the job summary of this run');
    expect(comment.match(/```/g)?.length ?? 0).toBe(4); // every fence closed: network (cut) and redshift
    const fullReport = fs.readFileSync(full, 'utf8');
    expect(fullReport.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(fullReport).toContain(`aws_s3_object.part[${resources - 1}]`);
  });
});

test('thousands of destroys: the comment still fits, with the exact count and a pointer to the rest', () => {
  const destroys = Array.from({ length: 2500 }, (_, i) => ({
    address: `module.legacy_exports.aws_s3_bucket_lifecycle_configuration.retention_rule_for_partition[${i}]`,
    mode: 'managed' as const,
    type: 'aws_s3_bucket_lifecycle_configuration',
    action_reason: 'delete_because_count_index',
    change: { actions: ['delete' as const], before: {}, after: null },
  }));
  const report = buildReport([{ stack: 'network', plan: { format_version: '1.2', resource_changes: destroys } }], {});
  const comment = renderMarkdown(report, { limit: GITHUB_COMMENT_LIMIT, fullReport: 'the job summary' });
  expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  expect(comment).toContain('| `network` | 0 | 0 | 0 | 2500 | no |');
  expect(comment).toContain('**2500 resource(s) will be destroyed or replaced.**');
  expect(comment).toMatch(/> - \.\.\. and \d+ more: see the full report/);
  expect(comment).toContain('Full report: the job summary');
});

describe('no changes (fixture)', () => {
  test('the table shows zeros, no warning, and says there are no changes', () => {
    const report = loadReport(path.join(fixtures, 'no-changes'), synthFixture);
    const markdown = renderMarkdown(report);
    expect(
      summaryJson(report).stacks.map((s) => [s.stack, s.add + s.change + s.replace + s.destroy, s.provisional]),
    ).toEqual([
      ['network', 0, false],
      ['redshift', 0, false],
    ]);
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
    [
      'no manifest',
      () => ['--plans', path.join(fixtures, 'no-changes'), '--synth-dir', scratch],
      /cannot read .*manifest\.json/,
    ],
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
});

function planDir(file: string, content: string): string[] {
  const dir = fs.mkdtempSync(path.join(scratch, 'input-'));
  fs.writeFileSync(path.join(dir, file), content);
  return ['--plans', dir];
}

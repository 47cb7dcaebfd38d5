/**
 * A downstream stack reads its upstream's outputs through `terraform_remote_state`; when the upstream
 * has no state yet, or a pull request adds an output the downstream reads, the downstream plan used to
 * fail and nothing could be reviewed or deployed. End to end and offline:
 *
 * - the first deploy of the four CI-planned stacks (network, redshift, api, waf) from empty state:
 *   `npm run plan` for real (dummy credentials, a fake STS for the caller-identity lookup), then
 *   `npm run plan:apply`'s loop with a fake apply standing in for AWS (it writes the state an apply
 *   would leave: the planned outputs, unknown ones filled with made-up values);
 * - a pull request that adds an output read downstream, on two small cdktf stacks of `terraform_data`
 *   (Terraform's built-in resource), planned and applied for real; and the same change when the
 *   upstream moved on before the merge, where deploy stops for a second review.
 */
import { App, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { ApplyPorts, applyReviewed, terraformPorts } from '../scripts/plan/apply-command';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../scripts/plan/markdown';
import { readMeta, writeMeta } from '../scripts/plan/meta';
import { planMain } from '../scripts/plan/plan-command';
import { parsePlanJson, readPlanFile } from '../scripts/plan/plan-json';
import { REPLANNED, outputsState, placeholderValue, typedValue } from '../scripts/plan/planned-outputs';
import { loadReport } from '../scripts/plan/report-command';
import { planStack } from '../scripts/plan/stack-plan';
import { deployOrder, readManifest } from '../scripts/lib/synth-summary';
import {
  TERRAFORM_MISSING,
  terraform,
  terraformVersion,
  writeCliConfig,
  writeOfflineOverride,
} from '../scripts/lib/terraform';
import { FAKE_ACCOUNT_ID, FakeSts, startFakeSts } from './helpers/offline-aws';

/**
 * Seven real plans of the project's stacks (four for review, three again on deploy) load the AWS
 * provider some thirty times: minutes, not seconds, on a shared two-core machine.
 */
const PLANNING_TIMEOUT = 600_000;
/** Some twenty Terraform runs of `terraform_data` stacks (no provider to load): seconds each. */
const TERRAFORM_DATA_TIMEOUT = 120_000;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-deadlock-'));
const savedOutdir = process.env.CDKTF_OUTDIR;
let sts: FakeSts;

beforeAll(async () => {
  if (terraformVersion() === undefined) throw new Error(TERRAFORM_MISSING);
  writeCliConfig();
  delete process.env.CI;
  sts = await startFakeSts();
});
afterAll(async () => {
  await sts.stop();
  if (savedOutdir === undefined) delete process.env.CDKTF_OUTDIR;
  else process.env.CDKTF_OUTDIR = savedOutdir;
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs `fn` with `dir` as the working directory: local backends (and remote-state reads) are absolute paths from it. */
function inDirectory<T>(dir: string, fn: () => T): T {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(cwd);
  }
}

async function plan(root: string, synth: (outdir: string) => void, ...argv: string[]) {
  process.env.CDKTF_OUTDIR = path.join(root, 'cdktf.out');
  const out: string[] = [];
  const err: string[] = [];
  // The offline plans' providers carry their own dummy credentials.
  const code = await planMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) }, synth, async () => undefined);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), plans: path.join(root, 'cdktf.out', 'plans') };
}

/** `npm run plan:apply`'s loop on the reviewed plans, with Terraform for real unless `apply` says otherwise. */
function deploy(root: string, apply?: ApplyPorts['apply']) {
  const outdir = path.join(root, 'cdktf.out');
  const manifest = readManifest(outdir);
  const stackDir = (stack: string) => path.join(outdir, manifest.stacks[stack].workingDirectory);
  const reviewedDir = path.join(outdir, 'plans');
  // The merged commit is the reviewed one (the test's checkout may have uncommitted changes).
  writeMeta(reviewedDir, { ...readMeta(reviewedDir), dirty: false });
  const order = deployOrder(manifest).filter((stack) => readMeta(reviewedDir).stacks.includes(stack));
  const ports = terraformPorts(stackDir, () => undefined);
  return applyReviewed(
    {
      reviewedDir,
      replanDir: path.join(outdir, 'replans'),
      order,
      dependencies: Object.fromEntries(order.map((stack) => [stack, manifest.stacks[stack].dependencies])),
    },
    { ...ports, mergedTree: () => readMeta(reviewedDir).tree, ...(apply ? { apply } : {}) },
  );
}

describe('the first deploy of network, redshift, api and waf from empty state', () => {
  const root = path.join(scratch, 'first-deploy');
  const stateFile = (stack: string) => path.join(root, `terraform.loan-remediation-dev.${stack}.tfstate`);

  /** The real synth (state stays local: STATE_BUCKET unset) in `root`, with offline provider settings. */
  const synth = (outdir: string) => {
    inDirectory(root, () => {
      const app = new App({ outdir });
      buildStacks(app, loadConfig({}));
      app.synth();
    });
    for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
      writeOfflineOverride(path.join(outdir, 'stacks', stack), { stsEndpoint: sts.endpoint, keepBackend: true });
    }
  };

  /**
   * Stands in for `terraform apply <plan>` against AWS: writes the state the apply would leave, as far
   * as other stacks can see it: the planned outputs, unknown parts filled with made-up values (ARNs
   * where the name says ARN, so the provider's validation of downstream arguments still runs).
   */
  const fakeApply: ApplyPorts['apply'] = (stack, planFile) => {
    const dir = path.join(root, 'cdktf.out', 'stacks', stack);
    const planned = parsePlanJson(terraform(dir, ['show', '-json', planFile]).output, planFile);
    const { state } = outputsState(stack, planned, ({ output, path: at, type }) => {
      const made = `applied-${createHash('sha256').update(`${stack}.${output}${at}`).digest('hex').slice(0, 12)}`;
      const arn = /arns?$/i.test(`${output}${at}`.replace(/\[\d+\]/g, ''));
      return typedValue(type, () => (arn ? `arn:aws:fake:us-east-1:${FAKE_ACCOUNT_ID}:${made}` : made));
    });
    fs.writeFileSync(stateFile(stack), JSON.stringify(state));
    return { status: 0, output: 'Apply complete! (fake)' };
  };

  let planned: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    fs.mkdirSync(root);
    planned = await plan(root, synth); // every stack but state, as CI plans them
  }, PLANNING_TIMEOUT);

  test('npm run plan plans every stack: each downstream against its upstream’s planned outputs', () => {
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    expect(fs.existsSync(stateFile('network'))).toBe(false); // nothing was applied: every state is empty
    expect(planned.stdout).toContain('redshift: read the planned outputs of network (they change)');
    const meta = readMeta(planned.plans);
    expect(Object.keys(meta.plannedAgainst!)).toEqual(['redshift', 'api', 'waf']);
    expect(meta.plannedAgainst!.waf.upstream).toEqual(['api']);
    expect(meta.plannedAgainst!.waf.placeholders).toContainEqual({
      stack: 'api',
      output: 'cross-stack-output-aws_api_gateway_stagestagearn',
      path: '',
      type: 'string',
      typeFrom: 'provider schema',
    });
    expect(readPlanFile(path.join(planned.plans, 'redshift.json')).errored).toBeFalsy();
    // No override is left behind for `cdktf deploy` to read.
    for (const stack of ['redshift', 'api', 'waf']) {
      expect(
        fs.readdirSync(path.join(root, 'cdktf.out', 'stacks', stack)).filter((f) => f.startsWith('planned_outputs')),
      ).toEqual([]);
    }
  });

  test('npm run plan writes the plan files, the meta and the report of every stack, and says what is next', () => {
    expect(fs.readdirSync(planned.plans).sort()).toEqual(
      [
        ...['network', 'redshift', 'api', 'waf'].flatMap((s) => [`${s}.json`, `${s}.tfplan`, `${s}.txt`]),
        'meta.json',
        'report-full.md',
        'report.md',
        'summary.json',
      ].sort(),
    );
    const summary = JSON.parse(fs.readFileSync(path.join(planned.plans, 'summary.json'), 'utf8'));
    expect(summary.stacks.map((s: { stack: string; status: string }) => [s.stack, s.status])).toEqual([
      ['network', 'planned'],
      ['redshift', 'planned'],
      ['api', 'planned'],
      ['waf', 'planned'],
    ]);
    expect(summary.stacks[0].add).toBeGreaterThan(20);
    expect(readMeta(planned.plans)).toMatchObject({
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      tree: expect.stringMatching(/^[0-9a-f]{40}$/),
      stacks: ['network', 'redshift', 'api', 'waf'],
    });
    expect(planned.stdout).toContain('network: planned in');
    expect(planned.stdout).toContain(`| \`network\` | ${summary.stacks[0].add} | 0 | 0 | 0 |  |`);
    expect(planned.stdout).toContain('Next:');
  });

  test("the details are Terraform's rendering, where cdktf's cross-stack outputs are sensitive", () => {
    const network = loadReport(planned.plans, path.join(root, 'cdktf.out')).stacks[0];
    expect(network.details).toContain('  # aws_vpc.vpc will be created');
    expect(network.details).toContain('      + cidr_block                           = "10.80.0.0/20"');
    const crossStack = network.details.filter((l) => l.includes('cross-stack-output'));
    expect(crossStack.length).toBeGreaterThan(3);
    for (const line of crossStack) expect(line).toMatch(/= \(sensitive value\)$/);
  });

  // The comment once exceeded GitHub's limit by the newline before the details.
  test('the comment never exceeds its limit, at any cut point of these real plans', () => {
    const report = loadReport(planned.plans, path.join(root, 'cdktf.out'));
    const full = renderMarkdown(report).length;
    expect(full).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(fs.readFileSync(path.join(planned.plans, 'report.md'), 'utf8').length).toBeLessThanOrEqual(
      GITHUB_COMMENT_LIMIT,
    );
    const limits = new Set<number>();
    for (let limit = 2_500; limit <= full + 2; limit += Math.ceil(full / 1_000)) limits.add(limit);
    for (let limit = GITHUB_COMMENT_LIMIT - 150; limit <= GITHUB_COMMENT_LIMIT + 150; limit++) limits.add(limit);
    for (let limit = full - 150; limit <= full + 2; limit++) limits.add(limit);
    for (const limit of limits) {
      const comment = renderMarkdown(report, { limit, fullReport: 'the job summary' });
      if (comment.length > limit) throw new Error(`limit ${limit}: ${comment.length} characters`);
      if ((comment.match(/```/g) ?? []).length % 2 !== 0) throw new Error(`limit ${limit}: a fence left open`);
    }
    expect(renderMarkdown(report, { limit: full })).toBe(renderMarkdown(report));
    const cut = renderMarkdown(report, { limit: full - 1, fullReport: 'the job summary' });
    expect(cut).toMatch(/\.\.\. \d+ more line\(s\) cut: see the full report/);
    expect(cut.endsWith("**Cut to fit GitHub's 65536-character comment limit.** Full report: the job summary\n")).toBe(
      true,
    );
  });

  test('the report marks the stacks and the values that are re-planned on deploy', () => {
    const report = loadReport(planned.plans, path.join(root, 'cdktf.out'));
    expect(report.stacks.map((s) => [s.stack, s.status, s.plannedAgainst?.upstream])).toEqual([
      ['network', 'planned', undefined],
      ['redshift', 'planned', ['network']],
      ['api', 'planned', ['redshift']],
      ['waf', 'planned', ['api']],
    ]);
    const comment = fs.readFileSync(path.join(planned.plans, 'report.md'), 'utf8');
    expect(comment).toContain(
      '| `waf` | 6 | 0 | 0 | 0 | **re-planned on deploy**: read the planned outputs of `api` |',
    );
    const waf = report.stacks[3].details.join('\n');
    expect(waf).toContain(`+ resource_arn = ${REPLANNED}`);
    expect(waf).not.toMatch(/replanned-on-deploy-[0-9a-f]{12}/);
  });

  test(
    'deploy applies network, then plans each downstream for real and applies it: it matches apart from the placeholders',
    () => {
      const result = deploy(root, fakeApply);
      expect(result.outcome).toBe('applied');
      expect(result.stacks.map((s) => [s.stack, s.result])).toEqual([
        ['network', 'applied saved plan'],
        ['redshift', 'applied new plan'],
        ['api', 'applied new plan'],
        ['waf', 'applied new plan'],
      ]);
      expect(result.stacks[3].reason).toBe(
        'it was planned against the planned outputs of api (re-planned on deploy, now that they are applied); the new plan matches the reviewed plan',
      );
      // The new plans read the applied values, not the placeholders.
      const waf = readPlanFile(path.join(root, 'cdktf.out', 'replans', 'waf.json'));
      const association = waf.resource_changes!.find((r) => r.type === 'aws_wafv2_web_acl_association')!;
      expect((association.change.after as { resource_arn: string }).resource_arn).toMatch(
        /^arn:aws:fake:us-east-1:123456789012:applied-/,
      );
    },
    PLANNING_TIMEOUT,
  );
});

/** A `terraform_data` resource: Terraform's built-in provider, so plan and apply need no cloud. */
class Data extends TerraformResource {
  constructor(scope: Construct, id: string, input: unknown) {
    super(scope, id, { terraformResourceType: 'terraform_data' });
    this.addOverride('input', input);
  }

  get id(): string {
    return this.getStringAttribute('id');
  }
}

/** Two stacks with local state in `root`; in version 2 (the pull request), downstream reads two new upstream outputs. */
function twoStacks(root: string, version: 1 | 2) {
  return (outdir: string) => {
    const app = new App({ outdir });
    const stack = (name: string) => {
      const s = new TerraformStack(app, name);
      new LocalBackend(s, { path: path.join(root, `${name}.tfstate`) });
      return s;
    };
    const upstream = stack('upstream');
    const downstream = stack('downstream');
    const base = new Data(upstream, 'base', 'v1');
    if (version === 1) {
      new Data(downstream, 'consumer', 'static');
    } else {
      const added = new Data(upstream, 'added', 'new in this pull request');
      new Data(downstream, 'consumer', { base: base.id, added: added.id });
    }
    app.synth();
  };
}

describe('a pull request that adds an output read downstream', () => {
  async function deployedThenChanged(name: string) {
    const root = path.join(scratch, name);
    fs.mkdirSync(root);
    const v1 = await plan(root, twoStacks(root, 1));
    expect(v1.code).toBe(0);
    expect(deploy(root).outcome).toBe('applied');
    const v2 = await plan(root, twoStacks(root, 2));
    const outputs = (stack: string) =>
      JSON.parse(terraform(path.join(root, 'cdktf.out', 'stacks', stack), ['output', '-json']).output) as Record<
        string,
        { value: unknown }
      >;
    return { root, v2, outputs };
  }

  test(
    'plans without an error, marks the unknown output, and deploy applies the downstream after a real re-plan',
    async () => {
      const { root, v2, outputs } = await deployedThenChanged('new-output');
      expect(v2.stderr).toBe('');
      expect(v2.code).toBe(0);
      const meta = readMeta(v2.plans);
      expect(meta.plannedAgainst).toEqual({
        downstream: {
          upstream: ['upstream'],
          placeholders: [expect.objectContaining({ stack: 'upstream', typeFrom: 'provider schema', type: 'string' })],
        },
      });
      const details = loadReport(v2.plans, path.join(root, 'cdktf.out')).stacks[1].details.join('\n');
      expect(details).toContain(`+ added = ${REPLANNED}`);
      expect(details).toMatch(/\+ base {2}= "[0-9a-f-]{36}"/); // the new output with a known value is exact

      const result = deploy(root);
      expect(result.stacks.map((s) => [s.stack, s.result])).toEqual([
        ['upstream', 'applied saved plan'],
        ['downstream', 'applied new plan'],
      ]);
      const consumer = (
        JSON.parse(fs.readFileSync(path.join(root, 'downstream.tfstate'), 'utf8')) as {
          resources: {
            name: string;
            instances: { attributes: { input: { value: { added: string; base: string } } } }[];
          }[];
        }
      ).resources.find((r) => r.name === 'consumer')!.instances[0].attributes.input.value;
      const upstreamOutputs = Object.values(outputs('upstream')).map((o) => o.value);
      expect(upstreamOutputs).toEqual(expect.arrayContaining([consumer.added, consumer.base]));
      expect(consumer.added).not.toContain('replanned-on-deploy');
    },
    TERRAFORM_DATA_TIMEOUT,
  );

  test(
    'when the upstream moved on before the merge, deploy stops and leaves the new plans for a second review',
    async () => {
      const { root, v2 } = await deployedThenChanged('moved-on');
      // Out of band, after the review, main's configuration is applied again with the upstream's base
      // object replaced: its id, which the reviewer saw as a known value, is no longer the one planned.
      const mainOut = path.join(root, 'main.out');
      twoStacks(root, 1)(mainOut);
      const mainUpstream = path.join(mainOut, 'stacks', 'upstream');
      terraform(mainUpstream, ['init', '-input=false']);
      terraform(mainUpstream, ['apply', '-auto-approve', '-input=false', '-replace=terraform_data.base']);
      const result = deploy(root);
      expect(result.outcome).toBe('needs-approval');
      expect(result.stacks[0]).toMatchObject({
        stack: 'upstream',
        result: 'needs approval',
        reason: expect.stringContaining('Terraform called the saved plan stale'),
      });
      expect(result.stacks[0].differences).toEqual([
        expect.stringMatching(/^output\.cross-stack-output-terraform_database.*: differs from the reviewed value$/),
      ]);
      expect(result.stacks[1]).toMatchObject({ stack: 'downstream', result: 'not applied' });
      const replans = path.join(root, 'cdktf.out', 'replans');
      const second = loadReport(replans, path.join(root, 'cdktf.out'));
      expect(second.stacks.map((s) => [s.stack, s.status, s.plannedAgainst?.upstream])).toEqual([
        ['upstream', 'planned', undefined],
        ['downstream', 'planned', ['upstream']],
      ]);
      expect(v2.code).toBe(0);
    },
    TERRAFORM_DATA_TIMEOUT,
  );
});

test('placeholders are typed: strings, ARNs, numbers, booleans and collections', () => {
  const at = (output: string, type: Parameters<typeof placeholderValue>[0]['type']) =>
    placeholderValue({ stack: 'network', output, path: '', type });
  expect(at('vpc_id', 'string')).toMatch(/^replanned-on-deploy-[0-9a-f]{12}$/);
  expect(at('web_acl_arn', 'string')).toMatch(/^arn:aws:replanned-on-deploy:::replanned-on-deploy-[0-9a-f]{12}$/);
  expect(at('count', 'number')).toBe(0);
  expect(at('enabled', 'bool')).toBe(false);
  expect(at('subnet_ids', ['list', 'string'])).toEqual([expect.stringMatching(/^replanned-on-deploy-/)]);
  expect(at('tags', ['map', 'number'])).toEqual({ [at('tags', 'string') as string]: 0 });
  expect(at('pair', ['object', { id: 'string', port: 'number' }])).toEqual({ id: expect.any(String), port: 0 });
  expect(at('vpc_id', 'string')).toBe(at('vpc_id', 'string')); // the same plan gives the same placeholders
});

test('partly unknown outputs keep their known parts; each unknown part gets its own placeholder', () => {
  const planJson = readPlanFile(
    path.join(__dirname, 'fixtures', 'plans', 'upstream', 'terraform-unknown-output', 'network.json'),
  );
  const { state, placeholders } = outputsState('network', planJson, placeholderValue);
  const outputs = (state as { outputs: Record<string, { value: unknown; type: unknown }> }).outputs;
  expect(outputs.foo).toEqual({ value: 'hello', type: 'string' });
  expect(outputs.bar.value).toEqual(['hello', expect.stringMatching(/^replanned-on-deploy-/), 'world']);
  expect(outputs.bar.type).toEqual(['tuple', ['string', 'string', 'string']]);
  expect(outputs.baz.value).toEqual({
    greeting: 'hello',
    subject: 'world',
    time: expect.stringMatching(/^replanned-on-deploy-/),
  });
  expect(placeholders.map((p) => `${p.output}${p.path}`)).toEqual(['bar[1]', 'baz.time']);
});

test('a stack that reads nothing of a changing upstream is planned as usual, with no override', () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'unrelated-'));
  fs.writeFileSync(
    path.join(dir, 'cdk.tf.json'),
    JSON.stringify({ resource: { terraform_data: { alone: { input: 'x' } } } }),
  );
  terraform(dir, ['init', '-input=false']);
  const changing = readPlanFile(
    path.join(__dirname, 'fixtures', 'plans', 'terraform', 'unknown-parts', 'network.json'),
  );
  const result = planStack({
    stack: 'unrelated',
    dir,
    outDir: dir,
    upstream: [{ stack: 'network', plan: changing, dir }],
    stateDir: dir,
    planArgs: [],
  });
  expect(result).toMatchObject({ failed: false, plannedAgainst: undefined });
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('_override.tf.json'))).toEqual([]);
});

/**
 * Apply exactly what was reviewed: the decisions (tree equal? plan stale? upstream outputs changed?
 * new plan equal to the reviewed one?) and the apply loop around them, with Terraform replaced by fakes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  changedOutputNames,
  decideAfterReplan,
  decideAfterSavedApply,
  decideBeforeApply,
  isStalePlanError,
  matchesReviewed,
  planDifferences,
  priorOutputs,
} from '../scripts/plan/apply-decision';
import { ApplyPorts, applyReviewed, outcomeMarkdown } from '../scripts/plan/apply-command';
import { PlanJson, readPlanFile } from '../scripts/plan/plan-json';
import { placeholderValue } from '../scripts/plan/planned-outputs';

const TREE = 'a'.repeat(40);
const OTHER_TREE = 'b'.repeat(40);
/** Terraform 1.11's error for a saved plan whose state changed (internal/backend/local). */
const STALE_OUTPUT = `Error: Saved plan is stale

The given plan file can no longer be applied because the state was changed by another operation after the plan was created.`;

const fixtures = path.join(__dirname, 'fixtures', 'plans');
const reviewedNetwork = readPlanFile(path.join(fixtures, 'destructive', 'network.json'));

describe('decideBeforeApply', () => {
  test('applies the saved plan when the merged tree is the reviewed tree and no upstream output changed', () => {
    expect(decideBeforeApply({ reviewedTree: TREE, mergedTree: TREE, changedUpstreamOutputs: [] }).action).toBe(
      'apply-saved',
    );
  });

  test('plans again when main moved on (merged tree differs)', () => {
    const decision = decideBeforeApply({ reviewedTree: TREE, mergedTree: OTHER_TREE, changedUpstreamOutputs: [] });
    expect(decision).toEqual({ action: 'replan', reason: expect.stringContaining('is not the reviewed tree') });
  });

  test('always plans again a stack that was planned against an upstream’s planned outputs', () => {
    const decision = decideBeforeApply({
      reviewedTree: TREE,
      mergedTree: TREE,
      changedUpstreamOutputs: [],
      plannedAgainst: ['network'],
    });
    expect(decision).toEqual({
      action: 'replan',
      reason: 'it was planned against the planned outputs of network (re-planned on deploy, now that they are applied)',
    });
  });

  test('plans again when an upstream output changed after this plan was made', () => {
    const decision = decideBeforeApply({
      reviewedTree: TREE,
      mergedTree: TREE,
      changedUpstreamOutputs: ['network.private_subnet_ids'],
    });
    expect(decision).toEqual({ action: 'replan', reason: expect.stringContaining('network.private_subnet_ids') });
  });
});

describe('after applying a saved plan', () => {
  test("Terraform's stale-plan error means plan again; other errors fail; success is applied", () => {
    expect(isStalePlanError(STALE_OUTPUT)).toBe(true);
    expect(decideAfterSavedApply(1, STALE_OUTPUT)).toBe('replan');
    expect(decideAfterSavedApply(1, 'Error: creating S3 Bucket: AccessDenied')).toBe('failed');
    expect(decideAfterSavedApply(0, 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.')).toBe('applied');
  });
});

describe('changedOutputNames', () => {
  test('names (never values) of outputs that differ between plan time and now', () => {
    const atPlan = { vpc_id: 'vpc-1', subnet_ids: ['a', 'b'], secret: 's1', gone: 'x' };
    const now = { vpc_id: 'vpc-1', subnet_ids: ['a', 'c'], secret: 's2', added: 1 };
    expect(changedOutputNames('network', atPlan, now)).toEqual([
      'network.added',
      'network.gone',
      'network.secret',
      'network.subnet_ids',
    ]);
    expect(changedOutputNames('network', atPlan, { ...atPlan })).toEqual([]);
  });

  test('priorOutputs reads the output values the plan saw from prior_state', () => {
    expect(priorOutputs(reviewedNetwork)).toEqual({ vpc_id: 'vpc-0abc' });
  });
});

/** A copy of a plan with one resource's change altered. */
function withChange(plan: PlanJson, address: string, change: Record<string, unknown>): PlanJson {
  return {
    ...plan,
    resource_changes: plan.resource_changes!.map((r) =>
      r.address === address ? { ...r, change: { ...r.change, ...change } } : r,
    ),
  };
}

describe('planDifferences and decideAfterReplan', () => {
  test('the same plan, and a plan that fills in values shown as "(known after apply)", need no new review', () => {
    expect(planDifferences(reviewedNetwork, reviewedNetwork)).toEqual([]);
    const vpc = reviewedNetwork.resource_changes!.find((r) => r.address === 'aws_vpc.vpc')!;
    const filledIn = withChange(reviewedNetwork, 'aws_vpc.vpc', {
      after: { ...(vpc.change.after as object), id: 'vpc-0new' },
      after_unknown: {},
    });
    expect(decideAfterReplan(reviewedNetwork, filledIn)).toEqual({
      action: 'apply-replanned',
      reason: 'the new plan matches the reviewed plan',
    });
  });

  test('a changed known value, a different action, a new or a vanished resource need approval', () => {
    const changedValue = withChange(reviewedNetwork, 'aws_cloudwatch_log_group.flow-log-group', {
      after: { name: '/aws/vpc/flow-logs/lr-dev', retention_in_days: 30 },
    });
    const nowDestroy = withChange(reviewedNetwork, 'aws_cloudwatch_log_group.flow-log-group', { actions: ['delete'] });
    const extra = {
      ...reviewedNetwork,
      resource_changes: [
        ...reviewedNetwork.resource_changes!,
        {
          address: 'aws_s3_bucket.new',
          mode: 'managed' as const,
          type: 'aws_s3_bucket',
          change: { actions: ['create' as const], after: {} },
        },
      ],
    };
    const fewer = {
      ...reviewedNetwork,
      resource_changes: reviewedNetwork.resource_changes!.filter((r) => r.address !== 'aws_vpc.vpc'),
    };
    expect(planDifferences(reviewedNetwork, changedValue)).toEqual([
      'aws_cloudwatch_log_group.flow-log-group.retention_in_days: differs from the reviewed value',
    ]);
    expect(planDifferences(reviewedNetwork, nowDestroy)).toEqual([
      'aws_cloudwatch_log_group.flow-log-group: now destroy, reviewed as change',
    ]);
    expect(planDifferences(reviewedNetwork, extra)).toEqual(['aws_s3_bucket.new: add was not in the reviewed plan']);
    expect(planDifferences(reviewedNetwork, fewer)).toEqual(['aws_vpc.vpc: reviewed replace is no longer planned']);
    expect(decideAfterReplan(reviewedNetwork, changedValue)).toMatchObject({ action: 'stop-for-approval' });
  });

  test('a value known at review that becomes unknown needs approval', () => {
    const nowUnknown = withChange(reviewedNetwork, 'aws_cloudwatch_log_group.flow-log-group', {
      after_unknown: { retention_in_days: true },
    });
    expect(planDifferences(reviewedNetwork, nowUnknown)).toEqual([
      'aws_cloudwatch_log_group.flow-log-group.retention_in_days: differs from the reviewed value',
    ]);
  });

  test('an output whose change differs needs approval', () => {
    const outputGone = { ...reviewedNetwork, output_changes: {} };
    expect(planDifferences(reviewedNetwork, outputGone)).toEqual(['output.vpc_id: now unchanged, reviewed as change']);
  });
});

describe('matchesReviewed: the new value is what the reviewer saw', () => {
  const token = placeholderValue({ stack: 'network', output: 'vpc_id', path: '', type: 'string' }) as string;
  const arn = placeholderValue({ stack: 'network', output: 'dataset_bucket_arn', path: '', type: 'string' }) as string;

  test('a placeholder stands for any value, also inside a longer string', () => {
    expect(token).toMatch(/^replanned-on-deploy-[0-9a-f]{12}$/);
    expect(arn).toMatch(/^arn:aws:replanned-on-deploy:::replanned-on-deploy-[0-9a-f]{12}$/);
    expect(matchesReviewed(token, false, 'vpc-0123', false)).toBe(true);
    expect(matchesReviewed(token, false, 'vpc-0123', true)).toBe(true);
    const policy = (resource: string) =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: `${resource}/*` }] });
    expect(matchesReviewed(policy(arn), false, policy('arn:aws:s3:::lr-dev-dataset'), false)).toBe(true);
    expect(
      matchesReviewed(policy(arn), false, policy('arn:aws:s3:::lr-dev-dataset').replace('Allow', 'Deny'), false),
    ).toBe(false);
  });

  test('known parts must stay equal and known; unknown parts may be anything', () => {
    const reviewed = { known: 'kept', later: null, list: ['a', null, 'b'] };
    const unknown = { later: true, list: [false, true, false] };
    expect(matchesReviewed(reviewed, unknown, { known: 'kept', later: 'x', list: ['a', 'y', 'b'] }, {})).toBe(true);
    expect(matchesReviewed(reviewed, unknown, { known: 'kept', later: 'x', list: ['a', 'y', 'c'] }, {})).toBe(false);
    expect(matchesReviewed(reviewed, unknown, { known: 'other', later: 'x', list: ['a', 'y', 'b'] }, {})).toBe(false);
    expect(matchesReviewed(reviewed, unknown, { later: 'x', list: ['a', 'y', 'b'] }, { known: true })).toBe(false);
    expect(matchesReviewed({}, {}, 'now a string', false)).toBe(false);
  });

  test('a list holding placeholders keeps its known elements, in any order and length', () => {
    expect(matchesReviewed([token, 'sg-fixed'], false, ['sg-fixed', 'subnet-1', 'subnet-2'], false)).toBe(true);
    expect(matchesReviewed([token, 'sg-fixed'], false, ['subnet-1', 'subnet-2'], false)).toBe(false);
    expect(matchesReviewed(['a', 'b'], false, ['b', 'a'], false)).toBe(false); // no placeholder: order counts
  });
});

describe('applyReviewed (the loop, with fake Terraform)', () => {
  const order = ['network', 'redshift'];
  const dependencies = { network: [], redshift: ['network'] };
  let root: string;
  let reviewedDir: string;
  let replanDir: string;

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-apply-'));
    reviewedDir = path.join(root, 'reviewed');
    replanDir = path.join(root, 'replans');
    fs.mkdirSync(reviewedDir);
    for (const stack of order) {
      fs.copyFileSync(path.join(fixtures, 'destructive', `${stack}.json`), path.join(reviewedDir, `${stack}.json`));
    }
    const meta = { commit: 'c'.repeat(40), tree: TREE, dirty: false, stacks: order, createdAt: '2026-01-01T00:00:00Z' };
    fs.writeFileSync(path.join(reviewedDir, 'meta.json'), JSON.stringify(meta));
  });

  /** Fake Terraform: records calls; outputs and plans come from the test. */
  function fakePorts(options: {
    tree?: string;
    outputsAfterApply?: Record<string, Record<string, unknown>>;
    applyResults?: Record<string, { status: number; output: string }[]>;
    replans?: Record<string, PlanJson>;
    failingPlans?: string[];
  }) {
    const calls: string[] = [];
    const applied = new Set<string>();
    const ports: ApplyPorts = {
      mergedTree: () => options.tree ?? TREE,
      init: (stack) => void calls.push(`init ${stack}`),
      apply: (stack, planFile) => {
        calls.push(`apply ${stack} ${path.basename(path.dirname(planFile))}/${path.basename(planFile)}`);
        const result = options.applyResults?.[stack]?.shift() ?? { status: 0, output: 'Apply complete!' };
        if (result.status === 0) applied.add(stack);
        return result;
      },
      plan: (stack, outDir, upstream) => {
        calls.push(`plan ${stack}${upstream.length > 0 ? ` reading ${upstream.map((u) => u.stack).join(',')}` : ''}`);
        if (options.failingPlans?.includes(stack)) {
          fs.writeFileSync(path.join(outDir, `${stack}.diagnostics.txt`), 'Error: Unable to find remote state');
          return { failed: true, changed: false };
        }
        const plan = options.replans?.[stack] ?? readPlanFile(path.join(reviewedDir, `${stack}.json`));
        fs.writeFileSync(path.join(outDir, `${stack}.json`), JSON.stringify(plan));
        const plannedAgainst =
          upstream.length > 0 ? { upstream: upstream.map((u) => u.stack), placeholders: [] } : undefined;
        return { plan, failed: false, changed: true, plannedAgainst };
      },
      outputs: (stack) =>
        applied.has(stack) && options.outputsAfterApply?.[stack]
          ? options.outputsAfterApply[stack]
          : priorOutputs(readPlanFile(path.join(reviewedDir, `${stack}.json`))),
      print: () => undefined,
    };
    return { ports, calls };
  }

  const run = (ports: ApplyPorts) => applyReviewed({ reviewedDir, replanDir, order, dependencies }, ports);
  /** network's saved plan applied, then redshift planned again and its new plan applied. */
  const SAVED_THEN_REPLANNED = [
    'init network',
    'apply network reviewed/network.tfplan',
    'init redshift',
    'plan redshift',
    'apply redshift replans/redshift.tfplan',
  ];

  test('same tree, upstream outputs unchanged: applies every saved plan in dependency order', () => {
    const { ports, calls } = fakePorts({});
    const result = run(ports);
    expect(result.outcome).toBe('applied');
    expect(calls).toEqual([
      'init network',
      'apply network reviewed/network.tfplan',
      'init redshift',
      'apply redshift reviewed/redshift.tfplan',
    ]);
    expect(result.stacks.map((s) => s.result)).toEqual(['applied saved plan', 'applied saved plan']);
  });

  test('upstream outputs changed by the upstream apply: the downstream stack is planned again and applied when it matches', () => {
    const { ports, calls } = fakePorts({ outputsAfterApply: { network: { vpc_id: 'vpc-0new' } } });
    const result = run(ports);
    expect(result.outcome).toBe('applied');
    expect(calls).toEqual(SAVED_THEN_REPLANNED);
    expect(result.stacks[1]).toMatchObject({
      result: 'applied new plan',
      reason: expect.stringContaining('network.vpc_id'),
    });
  });

  test('a stale saved plan is planned again', () => {
    const { ports, calls } = fakePorts({ applyResults: { network: [{ status: 1, output: STALE_OUTPUT }] } });
    const result = run(ports);
    expect(calls.slice(0, 4)).toEqual([
      'init network',
      'apply network reviewed/network.tfplan',
      'plan network',
      'apply network replans/network.tfplan',
    ]);
    expect(result.stacks[0]).toMatchObject({ result: 'applied new plan', reason: expect.stringContaining('stale') });
  });

  test('a different tree whose new plan differs stops for approval, plans the rest, and applies nothing', () => {
    const changed = withChange(reviewedNetwork, 'aws_cloudwatch_log_group.flow-log-group', {
      after: { name: '/aws/vpc/flow-logs/lr-dev', retention_in_days: 30 },
    });
    const { ports, calls } = fakePorts({ tree: OTHER_TREE, replans: { network: changed } });
    const result = run(ports);
    expect(result.outcome).toBe('needs-approval');
    // redshift is planned for the second review against network's new planned outputs (network is not applied yet).
    expect(calls).toEqual(['init network', 'plan network', 'plan redshift reading network']);
    expect(result.stacks.map((s) => s.result)).toEqual(['needs approval', 'not applied']);
    expect(JSON.parse(fs.readFileSync(path.join(replanDir, 'meta.json'), 'utf8'))).toMatchObject({
      tree: OTHER_TREE,
      stacks: ['network', 'redshift'],
      plannedAgainst: { redshift: { upstream: ['network'] } },
    });
    expect(fs.existsSync(path.join(replanDir, 'redshift.json'))).toBe(true);
    const markdown = outcomeMarkdown(result, 'cccccccccccc');
    expect(markdown).toContain('stopped: a new plan differs from the reviewed one');
    expect(markdown).toContain(
      '`network`: aws_cloudwatch_log_group.flow-log-group.retention_in_days: differs from the reviewed value',
    );
  });

  test('a Terraform error fails the deploy and leaves later stacks alone', () => {
    const { ports, calls } = fakePorts({ applyResults: { network: [{ status: 1, output: 'Error: AccessDenied' }] } });
    const result = run(ports);
    expect(result.outcome).toBe('failed');
    expect(calls).toEqual(['init network', 'apply network reviewed/network.tfplan']);
    expect(result.stacks).toEqual([
      { stack: 'network', result: 'failed', reason: 'Error: AccessDenied' },
      { stack: 'redshift', result: 'not applied', reason: 'an earlier stack stopped the deploy' },
    ]);
  });

  test('a stack planned against its upstream’s planned outputs is planned again after the upstream, even on the same tree', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(reviewedDir, 'meta.json'), 'utf8'));
    const placeholder = { stack: 'network', output: 'vpc_id', path: '', type: 'string', typeFrom: 'provider schema' };
    fs.writeFileSync(
      path.join(reviewedDir, 'meta.json'),
      JSON.stringify({ ...meta, plannedAgainst: { redshift: { upstream: ['network'], placeholders: [placeholder] } } }),
    );
    const { ports, calls } = fakePorts({});
    const result = run(ports);
    expect(calls).toEqual(SAVED_THEN_REPLANNED);
    expect(result.stacks[1]).toEqual({
      stack: 'redshift',
      result: 'applied new plan',
      reason:
        'it was planned against the planned outputs of network (re-planned on deploy, now that they are applied); the new plan matches the reviewed plan',
    });
  });

  test('a new plan that fails stops the deploy with Terraform’s error', () => {
    const { ports } = fakePorts({ tree: OTHER_TREE, failingPlans: ['network'] });
    const result = run(ports);
    expect(result.outcome).toBe('failed');
    expect(result.stacks[0]).toMatchObject({
      result: 'failed',
      reason: expect.stringContaining('the new plan failed: Error: Unable to find remote state'),
    });
  });

  test('a reviewed plan that errored is never applied', () => {
    const plan = JSON.parse(fs.readFileSync(path.join(reviewedDir, 'network.json'), 'utf8'));
    fs.writeFileSync(path.join(reviewedDir, 'network.json'), JSON.stringify({ ...plan, errored: true }));
    const { ports, calls } = fakePorts({});
    const result = run(ports);
    expect(calls).toEqual([]);
    expect(result.stacks[0]).toMatchObject({
      result: 'failed',
      reason: expect.stringContaining('its reviewed plan failed'),
    });
  });
});

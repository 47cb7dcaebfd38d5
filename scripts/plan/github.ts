/**
 * `npm run plan:github -- <command>`: the GitHub side of plan review, called by the workflows: the
 * sticky plan comment, the destroy / no-changes labels, the one drift issue, finding the reviewed plan
 * of a merged commit, and posting the deploy outcome. REST endpoints as documented on docs.github.com
 * ("Issue comments", "Labels", "Issues", "Commits: List pull requests associated with a commit",
 * "Workflow runs: List workflow runs for a workflow"); the token is the job's GITHUB_TOKEN.
 */
import * as fs from 'fs';
import { readFlagFile } from '../lib/cli';
import { UsageError, parseFlags, runCommand, Console } from './cli';
import { COUNTED, PlanSummaryJson } from './report';

export const DRIFT_MARKER = '<!-- cdktf-drift-report -->';
export const DESTROY_LABEL = 'plan: destroys';
export const NO_CHANGES_LABEL = 'plan: no changes';
export const DRIFT_LABEL = 'drift';

/**
 * When several deployment environments are planned for one pull request (or checked for drift), each
 * keeps its own sticky comment, labels and drift issue: `--environment` puts its name into the
 * hidden marker and the labels. Without it, names stay as they are.
 */
export const markerFor = (marker: string, environment?: string): string =>
  environment ? marker.replace(/ -->$/, ` ${environment} -->`) : marker;
export const labelFor = (label: string, environment?: string): string => (environment ? `${label} (${environment})` : label);

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  json: () => Promise<unknown>;
  text: () => Promise<string>;
}>;

export interface GitHub {
  readonly repo: string;
  request<T>(method: string, route: string, body?: unknown): Promise<T>;
}

/** A client for the repository the workflow runs in (GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN). */
export function gitHub(env: NodeJS.ProcessEnv, fetchImpl: Fetch = fetch as unknown as Fetch): GitHub {
  const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repo } = env;
  if (!token || !repo) throw new Error('GITHUB_TOKEN and GITHUB_REPOSITORY must be set (they are in GitHub Actions)');
  const api = env.GITHUB_API_URL ?? 'https://api.github.com';
  return {
    repo,
    async request<T>(method: string, route: string, body?: unknown): Promise<T> {
      const response = await fetchImpl(`${api}${route}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': '2022-11-28',
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`GitHub ${method} ${route}: ${response.status} ${(await response.text()).slice(0, 200)}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
  };
}

interface Comment {
  id: number;
  body?: string;
}

/** Every page of a list endpoint (100 per page). */
async function listAll<T>(github: GitHub, route: string): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const batch = await github.request<T[]>(
      'GET',
      `${route}${route.includes('?') ? '&' : '?'}per_page=100&page=${page}`,
    );
    items.push(...batch);
    if (batch.length < 100) return items;
  }
}

/** Updates the comment that starts with the marker, or creates it: one plan comment per pull request. */
export async function upsertStickyComment(github: GitHub, pr: number, body: string): Promise<'created' | 'updated'> {
  const marker = body.split('\n')[0];
  const comments = await listAll<Comment>(github, `/repos/${github.repo}/issues/${pr}/comments`);
  const existing = comments.find((c) => c.body?.startsWith(marker));
  if (existing) {
    await github.request('PATCH', `/repos/${github.repo}/issues/comments/${existing.id}`, { body });
    return 'updated';
  }
  await github.request('POST', `/repos/${github.repo}/issues/${pr}/comments`, { body });
  return 'created';
}

/** Everything a plan summary counts: resource changes, imports, moves, forgets, output changes. */
export const totalChanges = (summary: PlanSummaryJson) =>
  summary.stacks.reduce((n, s) => n + s.outputs + COUNTED.reduce((m, c) => m + s[c], 0), 0);

/**
 * The labels a plan summary calls for: destroys (destroy or replace anywhere), no changes (every
 * stack planned and nothing at all changes).
 */
export function planLabels(summary: PlanSummaryJson, environment?: string): { add: string[]; remove: string[] } {
  const [destroyLabel, noChangesLabel] = [DESTROY_LABEL, NO_CHANGES_LABEL].map((l) => labelFor(l, environment));
  const destroys = summary.stacks.some((s) => s.destroy + s.replace > 0);
  const none = totalChanges(summary) === 0 && summary.stacks.every((s) => s.status === 'planned');
  const wanted = [...(destroys ? [destroyLabel] : []), ...(none ? [noChangesLabel] : [])];
  return { add: wanted, remove: [destroyLabel, noChangesLabel].filter((l) => !wanted.includes(l)) };
}

export async function syncPlanLabels(github: GitHub, pr: number, summary: PlanSummaryJson, environment?: string): Promise<string[]> {
  const { add, remove } = planLabels(summary, environment);
  if (add.length > 0) await github.request('POST', `/repos/${github.repo}/issues/${pr}/labels`, { labels: add });
  const current = await github.request<{ name: string }[]>('GET', `/repos/${github.repo}/issues/${pr}/labels`);
  for (const label of remove.filter((l) => current.some((c) => c.name === l))) {
    await github.request('DELETE', `/repos/${github.repo}/issues/${pr}/labels/${encodeURIComponent(label)}`);
  }
  return add;
}

interface Issue {
  number: number;
  body?: string;
  pull_request?: unknown;
}

/** Opens or updates the one drift issue when anything drifted or failed to plan; closes it when every stack is clean. */
export async function syncDriftIssue(
  github: GitHub,
  summary: PlanSummaryJson,
  report: string,
  environment?: string,
): Promise<'opened' | 'updated' | 'closed' | 'clean'> {
  const marker = markerFor(DRIFT_MARKER, environment);
  const where = environment ? ` of ${environment}` : '';
  const open = await listAll<Issue>(
    github,
    `/repos/${github.repo}/issues?state=open&labels=${encodeURIComponent(DRIFT_LABEL)}`,
  );
  const existing = open.find((i) => !i.pull_request && i.body?.startsWith(marker));
  const body = `${marker}\n${report}`;
  // A plan that failed is not "clean": the issue stays open with the report, which says why.
  if (totalChanges(summary) > 0 || summary.stacks.some((s) => s.status !== 'planned')) {
    if (existing) {
      await github.request('PATCH', `/repos/${github.repo}/issues/${existing.number}`, { body });
      return 'updated';
    }
    const title = `Drift${environment ? ` in ${environment}` : ''}: the deployed infrastructure no longer matches main`;
    await github.request('POST', `/repos/${github.repo}/issues`, { title, body, labels: [DRIFT_LABEL] });
    return 'opened';
  }
  if (!existing) return 'clean';
  await github.request('POST', `/repos/${github.repo}/issues/${existing.number}/comments`, {
    body: `The nightly plan${where} is clean again: every stack matches main. Closing.`,
  });
  await github.request('PATCH', `/repos/${github.repo}/issues/${existing.number}`, { state: 'closed' });
  return 'closed';
}

/**
 * Paths whose change in a pull request holds its plan job until someone approves the run: the workflows,
 * the code that runs with the plan role's credentials and decides what is uploaded, and what decides
 * the code `npm ci` installs and runs (package.json, its lock file, an .npmrc). plan.yml runs this gate
 * from the base commit, so a pull request cannot change the gate itself. (The approval is a GitHub
 * environment with required reviewers; see docs/plan-review.md for what it does and does not protect.)
 */
export const GATED_PATHS = ['.github/', 'scripts/plan', 'package.json', 'package-lock.json', '.npmrc'] as const;

/** The files of a pull request (renames by both names) that fall under GATED_PATHS. */
export async function gatedChanges(github: GitHub, pr: number): Promise<string[]> {
  const files = await listAll<{ filename: string; previous_filename?: string }>(
    github,
    `/repos/${github.repo}/pulls/${pr}/files`,
  );
  return files
    .flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])])
    .filter((name) => GATED_PATHS.some((prefix) => name.startsWith(prefix)));
}

/** The merged pull request of a commit on main, its reviewed head commit, and the plan run that planned it. */
export async function findReviewedRun(
  github: GitHub,
  commit: string,
  workflowFile = 'plan.yml',
): Promise<{ pr: number; headSha: string; runId: number }> {
  const pulls = await github.request<{ number: number; merged_at: string | null; head: { sha: string } }[]>(
    'GET',
    `/repos/${github.repo}/commits/${commit}/pulls`,
  );
  const pull = pulls.find((p) => p.merged_at);
  if (!pull)
    throw new Error(`commit ${commit} belongs to no merged pull request: nothing was reviewed, so nothing is applied`);
  const { workflow_runs: runs } = await github.request<{ workflow_runs: { id: number }[] }>(
    'GET',
    `/repos/${github.repo}/actions/workflows/${workflowFile}/runs?head_sha=${pull.head.sha}&status=success&per_page=1`,
  );
  if (runs.length === 0) {
    throw new Error(
      `no successful ${workflowFile} run for ${pull.head.sha} (PR #${pull.number}): its plan was never reviewed`,
    );
  }
  return { pr: pull.number, headSha: pull.head.sha, runId: runs[0].id };
}

export const GITHUB_USAGE = `Usage: npm run plan:github -- <command> [options]   (in GitHub Actions)

  comment --pr <n> --body-file <f.md>          create or update the sticky plan comment (or post a
                                               new comment with --new)
  labels --pr <n> --summary <summary.json>     set or clear the "${DESTROY_LABEL}" / "${NO_CHANGES_LABEL}" labels
  drift-issue --summary <summary.json> --body-file <f.md>
                                               open, update or close the one drift issue
  find-reviewed --commit <sha>                 the merged PR, its head commit and plan run id
                                               (written to $GITHUB_OUTPUT as pr, head-sha, run-id)
  gate --pr <n>                                whether the PR changes a path its plan job waits on,
                                               ${GATED_PATHS.join(', ')}
                                               (written to $GITHUB_OUTPUT as gated=true|false)
  --environment <name>                         with comment, labels, drift-issue: one sticky comment,
                                               label pair and drift issue per deployment environment
                                               (a --new comment starts with the environment's name)
  --help                                       show this help`;

const FLAGS = {
  pr: { type: 'string' },
  'body-file': { type: 'string' },
  summary: { type: 'string' },
  commit: { type: 'string' },
  new: { type: 'boolean' },
  environment: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function githubMain(
  argv: readonly string[],
  io: Console,
  env = process.env,
  fetchImpl?: Fetch,
): Promise<number> {
  return runCommand(io, GITHUB_USAGE, async () => {
    const [command, ...rest] = argv;
    const flags = parseFlags(rest, FLAGS);
    if (command === '--help' || flags.help) {
      io.print(GITHUB_USAGE);
      return 0;
    }
    const required = (name: keyof typeof flags): string => {
      const value = flags[name];
      if (typeof value !== 'string' || value === '') throw new UsageError(`${command} needs --${name}`);
      return value;
    };
    const pr = () => {
      const n = Number(required('pr'));
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--pr ${flags.pr}: expected a pull request number`);
      return n;
    };
    const readSummary = () => JSON.parse(readFlagFile('summary', required('summary'))) as PlanSummaryJson;
    const readBody = () => readFlagFile('body-file', required('body-file'));
    const { environment } = flags;
    const github = () => gitHub(env, fetchImpl);
    switch (command) {
      case 'comment': {
        const number = pr();
        const body = readBody();
        if (flags.new) {
          const titled = environment ? `Deployment environment: **${environment}**\n\n${body}` : body;
          await github().request('POST', `/repos/${github().repo}/issues/${number}/comments`, { body: titled });
          io.print(`Posted a comment on #${number}`);
        } else {
          const [marker, ...rest] = body.split('\n');
          const scoped = [markerFor(marker, environment), ...rest].join('\n');
          io.print(`Plan comment on #${number}: ${await upsertStickyComment(github(), number, scoped)}`);
        }
        return 0;
      }
      case 'labels':
        io.print(`Labels on #${pr()}: ${(await syncPlanLabels(github(), pr(), readSummary(), environment)).join(', ') || 'none'}`);
        return 0;
      case 'drift-issue':
        io.print(`Drift issue: ${await syncDriftIssue(github(), readSummary(), readBody(), environment)}`);
        return 0;
      case 'find-reviewed': {
        const found = await findReviewedRun(github(), required('commit'));
        io.print(`Reviewed: PR #${found.pr}, head ${found.headSha}, plan run ${found.runId}`);
        if (env.GITHUB_OUTPUT) {
          fs.appendFileSync(env.GITHUB_OUTPUT, `pr=${found.pr}\nhead-sha=${found.headSha}\nrun-id=${found.runId}\n`);
        }
        return 0;
      }
      case 'gate': {
        const gated = await gatedChanges(github(), pr());
        io.print(
          gated.length > 0
            ? `The plan job waits for approval: the PR changes ${gated.join(', ')}`
            : 'The PR changes no gated path: the plan job runs without approval',
        );
        if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, `gated=${gated.length > 0}\n`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    }
  });
}

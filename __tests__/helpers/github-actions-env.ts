/**
 * The environment a step of a GitHub Actions job runs in, for tests of what the workflows run: the
 * default variables GitHub sets in every step and lets no workflow overwrite ("Variables reference",
 * GitHub Docs: CI, and every GITHUB_* and RUNNER_* variable), as a pull request's job on a
 * self-hosted Linux runner has them, plus what aws-actions/configure-aws-credentials exports (the
 * region twice and the session's credentials).
 */

/** The names GitHub reserves: a setting of one of these names would be set, unasked, in every CI step. */
export const GITHUB_RESERVED = /^(CI|GITHUB_.*|RUNNER_.*)$/;

const REPOSITORY = 'octo-org/loan-remediation';
const SHA = '3f9c2e1d4b5a69788796a5b4c3d2e1f0a9b8c7d6';

export const GITHUB_DEFAULT_ENV: Readonly<Record<string, string>> = {
  CI: 'true',
  GITHUB_ACTION: '__run_2',
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_ACTOR_ID: '583231',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_BASE_REF: 'main',
  GITHUB_ENV: '/home/runner/_work/_temp/_runner_file_commands/set_env_0',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_EVENT_PATH: '/home/runner/_work/_temp/_github_workflow/event.json',
  GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
  GITHUB_HEAD_REF: 'feature/alarm-email',
  GITHUB_JOB: 'plan',
  GITHUB_OUTPUT: '/home/runner/_work/_temp/_runner_file_commands/set_output_0',
  GITHUB_PATH: '/home/runner/_work/_temp/_runner_file_commands/add_path_0',
  GITHUB_REF: 'refs/pull/42/merge',
  GITHUB_REF_NAME: '42/merge',
  GITHUB_REF_PROTECTED: 'false',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_REPOSITORY: REPOSITORY,
  GITHUB_REPOSITORY_ID: '123456789',
  GITHUB_REPOSITORY_OWNER: 'octo-org',
  GITHUB_REPOSITORY_OWNER_ID: '9919',
  GITHUB_RETENTION_DAYS: '90',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_RUN_ID: '1658821493',
  GITHUB_RUN_NUMBER: '7',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_SHA: SHA,
  GITHUB_STEP_SUMMARY: '/home/runner/_work/_temp/_runner_file_commands/step_summary_0',
  GITHUB_TRIGGERING_ACTOR: 'octocat',
  GITHUB_WORKFLOW: 'plan',
  GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/plan.yml@refs/pull/42/merge`,
  GITHUB_WORKFLOW_SHA: SHA,
  GITHUB_WORKSPACE: '/home/runner/_work/loan-remediation/loan-remediation',
  RUNNER_ARCH: 'X64',
  RUNNER_DEBUG: '1',
  RUNNER_ENVIRONMENT: 'self-hosted',
  RUNNER_NAME: 'runner-1',
  RUNNER_OS: 'Linux',
  RUNNER_TEMP: '/home/runner/_work/_temp',
  RUNNER_TOOL_CACHE: '/home/runner/_work/_tool',
};

/** What the credentials step adds for the steps after it, in `region`. */
export const awsCredentialsEnv = (region: string): Record<string, string> => ({
  AWS_REGION: region,
  AWS_DEFAULT_REGION: region,
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example-secret',
  AWS_SESSION_TOKEN: 'example-session-token',
});

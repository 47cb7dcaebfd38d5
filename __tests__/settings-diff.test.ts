/**
 * The plan comment's settings section (scripts/plan/settings-diff.ts) against a real git repository
 * in a temporary folder: a base branch and a pull-request branch that changes settings/prod.env.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../scripts/plan/markdown';
import { buildReport } from '../scripts/plan/report';
import { Git, settingsSection } from '../scripts/plan/settings-diff';

const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-diff-'));
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

const git: Git = (args) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
const must = (...args: string[]) => {
  const result = git(['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
  if (result.status !== 0) throw new Error(result.stderr);
};
const write = (text: string) => fs.writeFileSync(path.join(repo, 'settings', 'prod.env'), text);
const prod = { file: 'settings/prod.env', overrides: [] };

beforeAll(() => {
  fs.mkdirSync(path.join(repo, 'settings'));
  must('init', '-q', '-b', 'main');
  write('# prod\nVPC_CIDR=10.82.0.0/20\n');
  fs.writeFileSync(path.join(repo, 'settings', 'dev.env'), '# dev\n');
  must('add', '.');
  must('commit', '-q', '-m', 'base');
  must('checkout', '-q', '-b', 'pr');
  write('# prod\nVPC_CIDR=10.82.0.0/20\nALARM_EMAIL=ops@bank.example\nLAMBDA_MEMORY_MB=512\n');
  must('commit', '-q', '-am', 'prod alarms');
});

test('names the file and shows what the pull request changes in it, in a diff block', () => {
  const section = settingsSection(prod, 'main', git);
  expect(section).toContain('### Settings: `settings/prod.env`');
  expect(section).toContain('What this pull request changes in `settings/prod.env` (`git diff main...HEAD -- settings/prod.env`):');
  const block = /```diff\n([\s\S]*?)\n```\n/.exec(section)![1];
  expect(block.split('\n').filter((l) => /^[+-][^+-]/.test(l))).toEqual(['+ALARM_EMAIL=ops@bank.example', '+LAMBDA_MEMORY_MB=512']);
});

test('says when the pull request leaves the file alone', () => {
  expect(settingsSection({ file: 'settings/dev.env', overrides: [] }, 'main', git)).toContain(
    'Unchanged against `main`: this pull request does not change `settings/dev.env`.',
  );
});

test('a long diff is cut to the limit with a line saying how much is left and how to see it', () => {
  const section = settingsSection(prod, 'main', git, 120);
  const block = /```diff\n([\s\S]*?)\n```/.exec(section)![1];
  expect(block.length).toBeLessThanOrEqual(120 + 80);
  expect(block).toMatch(/\n\.\.\. \d+ more line\(s\): git diff main\.\.\.HEAD -- settings\/prod\.env$/);
});

test('a base git cannot find is said in a warning, not a failed plan', () => {
  const section = settingsSection(prod, 'origin/nope', git);
  expect(section).toMatch(/> \[!WARNING\]\n> Could not compare `settings\/prod\.env` with `origin\/nope` \(`git diff origin\/nope\.\.\.HEAD -- settings\/prod\.env`\): fatal: /);
});

test('without a base (a laptop plan) it names the file, and warns about overrides from the environment', () => {
  const fileLine = { name: 'VPC_CIDR', value: '10.82.0.0/20', line: 2 };
  const section = settingsSection({ file: 'settings/prod.env', overrides: [{ name: 'VPC_CIDR', value: '10.99.0.0/20', fileLine }] }, undefined, git);
  expect(section).toBe(
    [
      '### Settings: `settings/prod.env`',
      '',
      '> [!WARNING]',
      '> Planned with 1 override(s) from the environment, not what `settings/prod.env` says (CI refuses overrides):',
      '> - VPC_CIDR="10.99.0.0/20" from the environment overrides settings/prod.env (line 2: "10.82.0.0/20")',
      '',
      'The plans were made with the settings in `settings/prod.env`.',
      '',
    ].join('\n'),
  );
});

test('backticks in the diff cannot close its fence', () => {
  const fake: Git = () => ({ status: 0, stdout: '+COGNITO_CALLBACK_URLS=https://a.example/```x\n', stderr: '' });
  const section = settingsSection(prod, 'main', fake);
  expect(section).toContain('````diff\n+COGNITO_CALLBACK_URLS=https://a.example/```x\n````');
});

test('the plan comment keeps the section whole, even when details are cut to fit GitHub', () => {
  const changes = Array.from({ length: 4000 }, (_, i) => ({
    address: `aws_s3_object.part[${i}]`,
    mode: 'managed' as const,
    type: 'aws_s3_object',
    change: { actions: ['create' as const], before: null, after: { key: `parts/part-${i}.csv`, content_type: 'text/csv' } },
  }));
  // Terraform's own rendering of the plan, one line per object: far more than one comment holds.
  const text = changes.map((c) => `  # ${c.address} will be created`).join('\n');
  const report = buildReport([{ stack: 'network', plan: { format_version: '1.2', resource_changes: changes }, text }]);
  const settings = settingsSection(prod, 'main', git);
  const comment = renderMarkdown(report, { limit: GITHUB_COMMENT_LIMIT, settings });
  expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  expect(comment).toMatch(/more line\(s\) cut/);
  expect(comment).toContain(settings);
  expect(comment.indexOf(settings)).toBeLessThan(comment.indexOf('### Details'));
});

/**
 * The plan comment's settings section: which settings file the plans were made with, its diff against
 * the pull request's base branch (`git diff <base>...HEAD`, what the pull request changes in it), and,
 * for a plan made on a laptop, the environment variables that overrode it. Bounded in size, so the
 * report can always keep it whole.
 */
import { spawnSync } from 'child_process';
import { Settings, overrideNote } from '../../stacks/settings';

/** The diff is cut to this many characters; a settings file's diff is far smaller. */
export const SETTINGS_DIFF_LIMIT = 4_000;

export type Git = (args: readonly string[]) => { readonly status: number | null; readonly stdout: string; readonly stderr: string };

const runGit: Git = (args) => spawnSync('git', args, { encoding: 'utf8' });

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
const fenceFor = (text: string): string => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));

/** The diff's lines up to `limit` characters, then one line saying how many were left out and how to see them. */
function bounded(diff: string, limit: number, command: string): string {
  const lines = diff.replace(/\n$/, '').split('\n');
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > limit) break;
    kept.push(line);
    size += line.length + 1;
  }
  if (kept.length < lines.length) kept.push(`... ${lines.length - kept.length} more line(s): ${command}`);
  return kept.join('\n');
}

/**
 * The section as Markdown. Without a base (a plan on a laptop) it names the file only; with one, the
 * diff in a ```diff block, or that the file is unchanged, or why git could not tell.
 */
export function settingsSection(
  settings: Pick<Settings, 'file' | 'overrides'>,
  base: string | undefined,
  git: Git = runGit,
  limit = SETTINGS_DIFF_LIMIT,
): string {
  const { file, overrides } = settings;
  const lines = [`### Settings: \`${file}\``, ''];
  if (overrides.length > 0) {
    lines.push(
      '> [!WARNING]',
      `> Planned with ${overrides.length} override(s) from the environment, not what \`${file}\` says (CI refuses overrides):`,
      ...overrides.map((o) => `> - ${overrideNote(o, file).replace(/^note: /, '')}`),
      '',
    );
  }
  if (base === undefined) {
    lines.push(`The plans were made with the settings in \`${file}\`.`, '');
    return lines.join('\n');
  }
  const command = `git diff ${base}...HEAD -- ${file}`;
  const result = git(['diff', '--no-color', '--no-ext-diff', `${base}...HEAD`, '--', file]);
  if (result.status !== 0) {
    const reason = result.stderr.trim().split('\n')[0] || `git exited with ${result.status}`;
    lines.push('> [!WARNING]', `> Could not compare \`${file}\` with \`${base}\` (\`${command}\`): ${reason}`, '');
  } else if (result.stdout.trim() === '') {
    lines.push(`Unchanged against \`${base}\`: this pull request does not change \`${file}\`.`, '');
  } else {
    const diff = bounded(result.stdout, limit, command);
    const fence = fenceFor(diff);
    lines.push(`What this pull request changes in \`${file}\` (\`${command}\`):`, '', `${fence}diff`, diff, fence, '');
  }
  return lines.join('\n');
}

/**
 * The documentation stays true and reachable: every setting is documented, every document is one hop
 * from the README, every relative link and anchor resolves, and nothing points outside the repository.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SECURITY_BASELINE_DOC } from '../policy/catalogue';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const DOCS = fs.readdirSync(path.join(root, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`);
const MARKDOWN = ['README.md', 'BENCHMARKS.md', 'sql/README.md', ...DOCS];

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

/** The anchors of a markdown file's headings, fenced code blocks excluded. */
function anchors(file: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of read(file).split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = /^#+ (.*)/.exec(line);
    if (!fenced && heading) found.add(slug(heading[1]));
  }
  return found;
}

test('docs/configuration.md documents every variable that stacks/config.ts reads', () => {
  const variablesRead = new Set(read('stacks/config.ts').match(/(?<=')[A-Z][A-Z0-9_]{2,}(?=')/g));
  const table = read('docs/configuration.md').split(/^## /m)[0];
  const documented = new Set(table.match(/(?<=^\| `)[A-Z][A-Z0-9_]+(?=` \|)/gm));
  expect(variablesRead.size).toBeGreaterThan(10);
  expect([...variablesRead].sort()).toEqual([...documented].sort());
});

test('the README points to the generated list of security-baseline exceptions instead of copying it', () => {
  const section = read('README.md').split(/^### /m).find((s) => s.startsWith('Every exception in the code today'));
  expect(section).toContain(`](${SECURITY_BASELINE_DOC}#every-exception-in-the-code-today)`);
  expect(read(SECURITY_BASELINE_DOC)).toMatch(/^## Every exception in the code today$/m);
  // A hand-written copy would drift from the code; the generated file is the only list.
  expect(section).not.toMatch(/^\| LR-/m);
});

test('every document in docs/ is linked from the README', () => {
  const readme = read('README.md');
  expect(DOCS.length).toBeGreaterThanOrEqual(8);
  expect(DOCS.filter((doc) => !readme.includes(`](${doc})`) && !readme.includes(`](${doc}#`))).toEqual([]);
});

test.each(MARKDOWN)('%s: every relative link and anchor resolves', (file) => {
  const broken: string[] = [];
  for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?:|mailto:)/.test(target)) continue;
    const [linked, anchor] = target.split('#');
    const resolved = linked === '' ? file : path.normalize(path.join(path.dirname(file), linked));
    if (!fs.existsSync(path.join(root, resolved))) broken.push(`${target} (no file ${resolved})`);
    else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${target} (no heading)`);
  }
  expect(broken).toEqual([]);
});

test('no tracked file refers to a document outside the repository', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const outside = tracked.filter((file) => {
    if (!fs.existsSync(path.join(root, file)) || file === 'package-lock.json' || file.startsWith('dataset/')) return false;
    return /DESIGN\.md|\.\.\/shared\b/.test(read(file));
  });
  expect(outside).toEqual([]);
});

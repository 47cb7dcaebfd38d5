import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { synthesizeForReport } from '../policy/enforce';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

test('the README configuration table documents every variable that stacks/config.ts reads', () => {
  const variablesRead = new Set(read('stacks/config.ts').match(/(?<=')[A-Z][A-Z0-9_]{2,}(?=')/g));
  const configSection = read('README.md').split(/^## /m).find((section) => section.startsWith('Configuration\n'));
  const documented = new Set(configSection?.match(/(?<=^\| `)[A-Z][A-Z0-9_]+(?=` \|)/gm));
  expect(variablesRead.size).toBeGreaterThan(10);
  expect([...variablesRead].sort()).toEqual([...documented].sort());
});

test('the README lists exactly the security-baseline exceptions that the code makes', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'readme-')) });
  buildStacks(app, loadConfig({}));
  const inCode = synthesizeForReport(app)
    .flatMap((result) => result.evaluations)
    .filter((evaluation) => evaluation.outcome === 'suppressed')
    .map((e) => `${e.rule.id} ${e.stack} ${e.element.address}`);
  const section = read('README.md').split(/^### /m).find((s) => s.startsWith('Every exception in the code today'));
  const inReadme = [...(section ?? '').matchAll(/^\| (LR-[A-Z0-9]+-\d+)[^|]*\| (\w+) \| `([^`]+)` \|/gm)].map(
    ([, rule, stack, address]) => `${rule} ${stack} ${address}`,
  );
  expect(inCode.length).toBeGreaterThan(0);
  expect(inReadme.sort()).toEqual(inCode.sort());
  fs.rmSync(app.outdir, { recursive: true, force: true });
});

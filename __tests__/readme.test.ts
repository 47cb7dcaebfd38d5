import * as fs from 'fs';
import * as path from 'path';
import { SECURITY_BASELINE_DOC } from '../policy/catalogue';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

test('the README configuration table documents every variable that stacks/config.ts reads', () => {
  const variablesRead = new Set(read('stacks/config.ts').match(/(?<=')[A-Z][A-Z0-9_]{2,}(?=')/g));
  const configSection = read('README.md').split(/^## /m).find((section) => section.startsWith('Configuration\n'));
  const documented = new Set(configSection?.match(/(?<=^\| `)[A-Z][A-Z0-9_]+(?=` \|)/gm));
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

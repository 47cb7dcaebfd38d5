import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

test('the README configuration table documents every variable that stacks/config.ts reads', () => {
  const variablesRead = new Set(read('stacks/config.ts').match(/(?<=')[A-Z][A-Z0-9_]{2,}(?=')/g));
  const configSection = read('README.md').split(/^## /m).find((section) => section.startsWith('Configuration\n'));
  const documented = new Set(configSection?.match(/(?<=^\| `)[A-Z][A-Z0-9_]+(?=` \|)/gm));
  expect(variablesRead.size).toBeGreaterThan(10);
  expect([...variablesRead].sort()).toEqual([...documented].sort());
});

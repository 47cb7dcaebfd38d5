/**
 * `npm run mutation:report`: the score of the last `npm run test:mutation` per area, against the
 * project's targets (90 % for lambda-src/ and the rule pack, 80 % overall), from
 * reports/mutation/mutation.json. Exits 1 when an area misses its target.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { runCli } from './lib/cli';
import { MutationReport, formatScores, scoreByArea, undetected } from './mutation/summary';

const REPORT = path.join('reports', 'mutation', 'mutation.json');

const USAGE = `Usage: npm run mutation:report [-- --survivors]

Scores the last \`npm run test:mutation\` (${REPORT}) per area against the targets: 90 % of
mutants detected in lambda-src/ and the rule pack, 80 % in the others and overall. Exits 1 when an
area misses its target.

  --survivors  also list every mutant no test detected (file:line:column, mutator, replacement)
  --help       show this text`;

void runCli(USAGE, { survivors: { type: 'boolean' } }, (flags) => {
  const file = path.join(__dirname, '..', REPORT);
  if (!existsSync(file)) {
    console.error(`error: ${REPORT} does not exist yet. Run npm run test:mutation first (it writes the report).`);
    return 1;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
  const scores = scoreByArea(report);
  console.log(formatScores(scores));
  const survivors = undetected(report);
  if (flags.survivors) console.log(`\n${survivors.length} mutants not detected:\n${survivors.join('\n')}`);
  else if (survivors.length > 0) console.log(`\n${survivors.length} mutants not detected: npm run mutation:report -- --survivors lists them.`);
  const missed = scores.filter((s) => !s.met);
  if (missed.length > 0) console.log(`\nBelow target: ${missed.map((s) => s.name).join(', ')}.`);
  console.log(`\nThe HTML report: ${path.join('reports', 'mutation', 'mutation.html')}.`);
  return missed.length > 0 ? 1 : 0;
});

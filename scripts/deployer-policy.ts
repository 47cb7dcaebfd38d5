/**
 * `npm run deployer-policy`: the IAM policies a deploying identity needs for the pipeline's stacks,
 * generated from what they synthesize with every optional feature on, and again with the postgres
 * transport (stacks/deployer/). Writes them
 * as JSON, per stack and combined, with the plan role's, the state access and the boundary; or, with
 * `--docs`, docs/operations.md's permissions section.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SecurityBaselineError } from '../policy/enforce';
import { boundaryStatements } from '../stacks/deployer/boundary';
import { guardrailStatements, preflightStatements, stateStatements } from '../stacks/deployer/ci-access';
import { boundaryPolicyName, ciRoleName } from '../stacks/deployer/names';
import {
  DeployTarget,
  PolicyDocument,
  PolicyStatement,
  deployerStatements,
  planStatements,
  policyDocument,
  policySize,
  splitIntoPolicies,
} from '../stacks/deployer/policies';
import { PIPELINE_TYPES } from '../stacks/deployer/resource-actions';
import { PERMISSIONS_DOC, permissionsSection, withPermissionsSection } from './deployer/permissions-doc';
import { synthesizedTypes } from './deployer/synthesized-types';
import { runCli, UsageError } from './lib/cli';

const USAGE = `Usage: npm run deployer-policy [-- --out-dir <dir>] [--account <id>] [--docs]

Synthesizes the pipeline's stacks (network, redshift, api, waf) with every optional feature on, and
again with WAREHOUSE_TRANSPORT=postgres, and writes the IAM policies that deploy and plan them,
generated from stacks/deployer/: per stack and combined (the deploy role's), the read-only plan
policy, the state access of each role, the deploy role's preflight calls and the permissions
boundary. Project, environment and region come from the usual settings.

  --out-dir <dir>  where the JSON files go (default: cdktf.out/deployer-policy)
  --account <id>   the 12-digit account to write into ARNs (default: the placeholder <account>)
  --docs           write ${PERMISSIONS_DOC}'s permissions section instead
  --help           show this text`;

void runCli(USAGE, { 'out-dir': { type: 'string' }, account: { type: 'string' }, docs: { type: 'boolean' } }, (flags) => {
  if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) throw new UsageError(`--account must be a 12-digit AWS account id, not "${flags.account}"`);
  if (flags.docs && (flags.account !== undefined || flags['out-dir'] !== undefined)) throw new UsageError('--docs takes no other flag');
  let synthesized: ReturnType<typeof synthesizedTypes>;
  try {
    synthesized = synthesizedTypes(process.env);
  } catch (error) {
    if (!(error instanceof SecurityBaselineError)) throw error;
    console.error(error.message);
    return 1;
  }
  const { config, types } = synthesized;
  const missing = [...new Set(Object.values(types).flat())].filter((type) => !PIPELINE_TYPES.includes(type));
  if (missing.length > 0) {
    console.error(`error: stacks/deployer/resource-actions.ts has no entry for ${missing.join(', ')}: add what deploying each needs`);
    return 1;
  }

  if (flags.docs) {
    const file = path.join(__dirname, '..', PERMISSIONS_DOC);
    fs.writeFileSync(file, withPermissionsSection(fs.readFileSync(file, 'utf8'), permissionsSection(types)));
    console.log(`Wrote the permissions section of ${PERMISSIONS_DOC} (${PIPELINE_TYPES.length} Terraform types).`);
    console.log(`Next: git add ${PERMISSIONS_DOC}; npm test checks it stays up to date.`);
    return 0;
  }

  const target: DeployTarget = {
    partition: 'aws',
    region: config.region,
    account: flags.account ?? '<account>',
    project: config.projectName,
    environment: config.environment,
  };
  const outDir = path.resolve(flags['out-dir'] ?? path.join('cdktf.out', 'deployer-policy'));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written: [file: string, what: string, document: PolicyDocument][] = [];
  const write = (name: string, what: string, document: PolicyDocument) => {
    fs.writeFileSync(path.join(outDir, name), `${JSON.stringify(document, null, 2)}\n`);
    written.push([name, what, document]);
  };
  const writeSplit = (name: string, what: string, build: (t: DeployTarget) => PolicyStatement[]) =>
    splitIntoPolicies(build, target).forEach((document, i, all) => write(`${name}-${i + 1}.json`, `${what} (${i + 1} of ${all.length})`, document));

  for (const [stack, stackTypes] of Object.entries(types)) {
    writeSplit(stack, `deploy the ${stack} stack (${stackTypes.length} types)`, (t) => deployerStatements(stackTypes, t));
  }
  writeSplit(ciRoleName(target, 'deploy'), 'the deploy role: every pipeline stack', (t) => deployerStatements(PIPELINE_TYPES, t));
  writeSplit(ciRoleName(target, 'plan'), 'the plan role: read-only', (t) => planStatements(PIPELINE_TYPES, t));
  const owned = {
    oidcProviderArn: config.account.ciOidcProviderArn ?? `arn:aws:iam::${target.account}:oidc-provider/token.actions.githubusercontent.com`,
  };
  for (const role of ['deploy', 'plan'] as const) {
    write(
      `${ciRoleName(target, role)}-inline.json`,
      `the ${role} role's inline policy: state, plans, guardrails`,
      policyDocument([...stateStatements(role, target), ...guardrailStatements(target, owned)]),
    );
  }
  write(`${ciRoleName(target, 'deploy')}-preflight.json`, 'the deploy role\'s inline policy: what npm run preflight calls', policyDocument(preflightStatements(target)));
  write(`${boundaryPolicyName(target)}.json`, 'the permissions boundary of every role the stacks create', policyDocument(boundaryStatements(target)));

  const width = Math.max(...written.map(([file]) => file.length));
  console.log(`IAM policies for ${target.project}-${target.environment} in ${target.region}, in ${path.relative(process.cwd(), outDir) || '.'}/:\n`);
  console.log(`${'file'.padEnd(width)}  characters  what`);
  for (const [file, what, document] of written) console.log(`${file.padEnd(width)}  ${String(policySize(document)).padStart(10)}  ${what}`);
  if (target.account === '<account>') console.log('\nARNs name the account <account>: pass --account <id> to fill it in.');
  console.log('\nNext: npx cdktf deploy account (an administrator) attaches these to the CI roles; see docs/operations.md#permissions-the-deploying-identity-needs');
  return 0;
});

/**
 * `npm run preflight`: before the first deploy (and in the deploy workflow, before apply), asks the
 * target account and region, read-only, whether it offers everything the stacks need, and prints
 * each check as pass, FAIL (with the fix) or could not check. Exits 1 on any fail.
 */
import { loadSettings } from '../../stacks/settings';
import { credentialsProblem } from '../lib/aws-credentials';
import { parseFlags, runCommand } from '../lib/cli';
import { CHECKS, CheckResult, Caller, callerIdentity, checkRequestPathQuotas, credentialsResult } from './checks';

export const PREFLIGHT_USAGE = `Usage: npm run preflight [-- --json]

Checks, read-only, that the AWS account and region of the current credentials and settings (AWS_REGION,
PROJECT_NAME, ENVIRONMENT, ...) offer what a deploy needs, before anything is applied:

  credentials                 who the credentials are (sts:GetCallerIdentity)
${CHECKS.map((check) => `  ${check.id.padEnd(27)} ${check.title}`).join('\n')}
  quota: ...                  quotas on the request path, found by name in Service Quotas

Each check passes, FAILs with the exact fix, or could not check (a refused call: it names the IAM
action to allow). Exit code 1 when any check fails, 0 otherwise.

  --json   print the results as one JSON object (for the deploy workflow)
  --help   show this text`;

const FLAGS = { json: { type: 'boolean' }, help: { type: 'boolean' } } as const;

export interface PreflightIo {
  readonly print: (text: string) => void;
  readonly printError: (text: string) => void;
}

export interface PreflightReport {
  readonly account: string;
  readonly region: string;
  readonly environment: string;
  readonly results: readonly CheckResult[];
  readonly ok: boolean;
}

const LABEL: Record<CheckResult['status'], string> = { pass: 'pass', fail: 'FAIL', 'could-not-check': 'could not check' };

export function renderReport(report: PreflightReport): string {
  const width = Math.max(...report.results.map((result) => result.id.length));
  const lines = report.results.flatMap((result) => [
    `  ${LABEL[result.status].padEnd(15)} ${result.id.padEnd(width)}  ${result.detail}`,
    ...(result.fix === undefined ? [] : [`  ${''.padEnd(15)} ${''.padEnd(width)}  ${result.status === 'fail' ? 'fix' : 'instead'}: ${result.fix}`]),
  ]);
  const count = (status: CheckResult['status']) => report.results.filter((result) => result.status === status).length;
  const verdict = report.ok
    ? `ready: ${count('pass')} passed, ${count('could-not-check')} could not be checked. Next: npm run plan, then deploy.`
    : `not ready: ${count('fail')} failed. Fix them and run npm run preflight again.`;
  return [`Preflight of ${report.environment} in account ${report.account}, ${report.region}`, ...lines, '', verdict].join('\n');
}

export function preflightMain(argv: readonly string[], io: PreflightIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(io, PREFLIGHT_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.print(PREFLIGHT_USAGE);
      return 0;
    }
    // The environment's settings file (and any override), as synth and deploy read it.
    const { config } = loadSettings(env);
    let caller: Caller;
    try {
      caller = await callerIdentity(config.region);
    } catch (error) {
      // No credentials (or expired ones) is one line; nothing else can be checked without them.
      throw new Error(credentialsProblem(error) ?? `cannot call sts:GetCallerIdentity: ${(error as Error).name}: ${(error as Error).message}`);
    }
    const context = { config, caller };
    const results = [
      credentialsResult(config, caller),
      ...(await Promise.all(CHECKS.map((check) => check.run(context)))),
      ...(await checkRequestPathQuotas(config)),
    ];
    const report: PreflightReport = {
      account: caller.account,
      region: config.region,
      environment: config.namePrefix,
      results,
      ok: results.every((result) => result.status !== 'fail'),
    };
    io.print(flags.json ? JSON.stringify(report, null, 2) : renderReport(report));
    return report.ok ? 0 : 1;
  });
}

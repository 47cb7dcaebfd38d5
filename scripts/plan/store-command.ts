/**
 * `npm run plan:store -- push|pull ...`: moves a plan folder to and from the state bucket (storage.ts),
 * so that GitHub artifacts carry only names and hashes.
 */
import { S3Client } from '@aws-sdk/client-s3';
import * as fs from 'fs';
import { loadSettings } from '../../stacks/settings';
import { Console, UsageError, parseFlags, runCommand } from './cli';
import { readMeta } from './meta';
import { PlanInputError } from './plan-json';
import { PlanManifest, planPrefix, pullPlans, pushPlans, s3Store } from './storage';

export const STORE_USAGE = `Usage: npm run plan:store -- <command> [options]

Saved plans hold values in clear text: they are kept in the state bucket (STATE_BUCKET), encrypted
with the state key (STATE_KMS_KEY_ARN), under plans/<project>/<environment>/<commit>/, and the GitHub
artifact holds only the manifest (file names and SHA-256 hashes).

  push --plans <dir> --manifest <file> [--replan]
        upload <dir>'s saved plans, plan JSON and meta.json (written by npm run plan, or by deploy's
        new plans with --replan) and write the manifest
  pull --manifest <file> --plans <dir> [--expect-commit <sha>]
        download the manifest's files into <dir>; refuse when any hash differs, or when the plans are
        of another commit than <sha>
  --help  show this help

Exit status: 0 when done, 1 when a hash differs or S3 refuses, 2 for bad flags.`;

const FLAGS = {
  plans: { type: 'string' },
  manifest: { type: 'string' },
  replan: { type: 'boolean' },
  'expect-commit': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function storeMain(argv: readonly string[], io: Console, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(io, STORE_USAGE, async () => {
    const [command, ...rest] = argv;
    const flags = parseFlags(rest, FLAGS);
    if (command === '--help' || flags.help) {
      io.print(STORE_USAGE);
      return 0;
    }
    if (command !== 'push' && command !== 'pull') {
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required (push or pull)');
    }
    if (!flags.plans || !flags.manifest) throw new UsageError(`${command} needs --plans and --manifest`);
    // The environment's settings file, as the plans were made with it.
    const { config, file } = loadSettings(env, { warn: () => undefined });
    if (!config.stateBucket || !config.stateKmsKeyArn) {
      throw new Error(`STATE_BUCKET and STATE_KMS_KEY_ARN must be set in ${file}: saved plans are kept encrypted in the state bucket`);
    }
    const store = s3Store(new S3Client({ region: config.region }), config.stateBucket, config.stateKmsKeyArn);
    if (command === 'push') {
      const prefix = planPrefix(config.projectName, config.environment, readMeta(flags.plans).commit, flags.replan);
      const manifest = await pushPlans(flags.plans, store, prefix);
      fs.writeFileSync(flags.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
      io.print(
        `Stored ${manifest.files.length} file(s) in s3://${config.stateBucket}/${prefix} (SSE-KMS); wrote ${flags.manifest}`,
      );
      return 0;
    }
    let manifest: PlanManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(flags.manifest, 'utf8')) as PlanManifest;
    } catch (error) {
      throw new PlanInputError(`cannot read the manifest ${flags.manifest}: ${(error as Error).message}`);
    }
    await pullPlans(manifest, store, flags.plans);
    const commit = readMeta(flags.plans).commit;
    if (flags['expect-commit'] && commit !== flags['expect-commit']) {
      throw new PlanInputError(`the plans are of commit ${commit}, not the reviewed ${flags['expect-commit']}`);
    }
    io.print(
      `Fetched ${manifest.files.length} file(s) from ${manifest.prefix} into ${flags.plans}; every SHA-256 matches`,
    );
    return 0;
  });
}

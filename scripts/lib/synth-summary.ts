import * as fs from 'fs';
import * as path from 'path';
import { STACK_NAMES } from '../../stacks/project-stack';

export interface StackSummary {
  readonly name: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  readonly backend: string;
  readonly file: string;
}

interface StackJson {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
  terraform?: { backend?: Record<string, unknown> };
}

/** The parts of cdktf's `manifest.json` (written next to `stacks/` by every synth) that scripts read. */
export interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string; workingDirectory: string; dependencies: string[] }>;
}

/** Reads `<outdir>/manifest.json`. */
export function readManifest(outdir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Stack names with every stack after the stacks it depends on (the order to deploy them). */
export function deployOrder(manifest: Manifest): string[] {
  const ordered: string[] = [];
  const visit = (name: string) => {
    if (ordered.includes(name)) return;
    manifest.stacks[name].dependencies.forEach(visit);
    ordered.push(name);
  };
  const known: readonly string[] = STACK_NAMES;
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  Object.keys(manifest.stacks)
    .sort((a, b) => rank(a) - rank(b))
    .forEach(visit);
  return ordered;
}

const countBlocks = (blocks: Record<string, Record<string, unknown>> = {}): number =>
  Object.values(blocks).reduce((sum, byName) => sum + Object.keys(byName).length, 0);

/** Reads a cdktf output directory and counts what each synthesized stack contains, in deploy order. */
export function summarizeSynth(outdir: string): StackSummary[] {
  const manifest = readManifest(outdir);
  return deployOrder(manifest).map((name) => {
    const file = path.join(outdir, manifest.stacks[name].synthesizedStackPath);
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as StackJson;
    return {
      name,
      resources: countBlocks(json.resource),
      dataSources: countBlocks(json.data),
      outputs: Object.keys(json.output ?? {}).length,
      backend: Object.keys(json.terraform?.backend ?? { local: {} })[0],
      file: path.relative(process.cwd(), file),
    };
  });
}

/** A plain-text table: one row per stack plus a total. */
export function formatSummary(stacks: readonly StackSummary[]): string {
  const header = ['stack', 'resources', 'data sources', 'outputs', 'backend', 'file'];
  const rows = stacks.map((s) => [s.name, s.resources, s.dataSources, s.outputs, s.backend, s.file].map(String));
  const total = (key: 'resources' | 'dataSources' | 'outputs') => String(stacks.reduce((n, s) => n + s[key], 0));
  rows.push(['total', total('resources'), total('dataSources'), total('outputs'), '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * What to run after a synth. Bootstrapping the state bucket is suggested only while the settings
 * name no state bucket: once they do, the state stack has done its job.
 */
export function nextSteps(stateBucket: string | undefined, settingsFile: string): string {
  const lines = [
    ['npm test', 'lint, type-check, unit tests, terraform validate + mocked apply'],
    ['npx cdktf diff network', 'plan one stack against your AWS account'],
  ];
  if (stateBucket === undefined) {
    lines.push([
      'npx cdktf deploy state',
      'bootstrap the remote-state bucket and key (then set STATE_BUCKET and\n' +
        `${' '.repeat(38)}STATE_KMS_KEY_ARN in ${settingsFile} from its outputs, see docs/operations.md)`,
    ]);
  } else {
    lines.push(
      ['npx cdktf deploy account', 'once per account and region (an administrator): boundaries, CI roles'],
      ['npx cdktf deploy network redshift', `deploy with state in s3://${stateBucket}`],
    );
  }
  return ['Next:', ...lines.map(([command, what]) => `  ${command.padEnd(36)}${what}`)].join('\n');
}

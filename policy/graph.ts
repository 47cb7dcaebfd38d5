import { TfElement } from './types';

/** Synthesized Terraform JSON of one stack (`stack.toTerraform()` or a `cdk.tf.json`). */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** `x`, `[x]` or nothing as an array: cdktf renders single nested blocks as objects, lists as arrays. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** The nested block(s) under `key` as objects. */
export function blocks(body: Readonly<Record<string, unknown>>, key: string): Record<string, unknown>[] {
  return list(body[key]).filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
}

/** The bodies of the `${...}` interpolations in a string, nested braces included. */
export function interpolations(text: string): string[] {
  const found: string[] = [];
  let start = text.indexOf('${');
  while (start !== -1) {
    // `$${` is Terraform's escape for a literal `${` (IAM policy variables such as `$${aws:userid}`).
    if (start > 0 && text[start - 1] === '$') {
      start = text.indexOf('${', start + 2);
      continue;
    }
    let depth = 0;
    let end = start + 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    found.push(text.slice(start + 2, end));
    start = text.indexOf('${', end);
  }
  return found;
}

const TRAVERSAL = /(?:data\.)?[A-Za-z_]\w*\.[A-Za-z_][\w-]*/g;

function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) if (key !== '//') strings(v, into);
  }
  return into;
}

/**
 * The resources and data sources of one stack and the references between them. Rules use it to
 * follow `${aws_s3_bucket.x.id}`-style tokens, e.g. to find the public access block of a bucket.
 */
export class StackIndex {
  private readonly byAddress = new Map<string, TfElement>();
  private readonly byType = new Map<string, TfElement[]>();

  constructor(
    readonly stack: string,
    json: TerraformJson,
  ) {
    for (const [kind, section] of [
      ['resource', json.resource],
      ['data', json.data],
    ] as const) {
      for (const [type, named] of Object.entries(section ?? {})) {
        for (const [name, body] of Object.entries(named)) {
          const key = kind === 'data' ? `data.${type}` : type;
          const meta = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
          const element: TfElement = { kind, type, name, address: `${key}.${name}`, path: meta?.path ?? '', body };
          this.byAddress.set(element.address, element);
          this.byType.set(key, [...(this.byType.get(key) ?? []), element]);
        }
      }
    }
  }

  elements(): TfElement[] {
    return [...this.byAddress.values()];
  }

  /** Elements of a Terraform type; data sources as `data.<type>`. */
  ofType(type: string): readonly TfElement[] {
    return this.byType.get(type) ?? [];
  }

  get(address: string): TfElement | undefined {
    return this.byAddress.get(address);
  }

  /** Elements of this stack that `value` references through `${...}` expressions. */
  referencedBy(value: unknown): TfElement[] {
    const found = new Set<TfElement>();
    for (const text of strings(value)) {
      for (const expression of interpolations(text)) {
        for (const [address] of expression.matchAll(TRAVERSAL)) {
          const element = this.byAddress.get(address);
          if (element) found.add(element);
        }
      }
    }
    return [...found];
  }

  /** Elements of `type` whose `attribute` references `target`. */
  referencing(target: TfElement, type: string, attribute: string): TfElement[] {
    return this.ofType(type).filter((e) => this.referencedBy(e.body[attribute]).includes(target));
  }
}

/**
 * Reads the argument of a `${jsonencode(...)}` expression, which is how cdktf renders
 * `Fn.jsonencode({...})`: an HCL object/tuple literal such as
 * `{"Effect" = "Allow", "Resource" = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"]}`.
 *
 * Literals become JSON values; any other expression (a reference, a function call) becomes the
 * string `${<expression>}`, the same form cdktf uses for references in plain strings.
 */
export function parseJsonencode(expression: string): unknown {
  const match = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expression.trim());
  if (!match) return undefined;
  const parser = new Parser(match[1]);
  const value = parser.value();
  parser.expectEnd();
  return value;
}

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.tuple();
    if (c === '"') return this.string();
    const raw = this.expression();
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (raw === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    return `\${${raw}}`;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw new Error(`unexpected "${this.text.slice(this.at, this.at + 20)}"`);
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.at++;
    for (;;) {
      this.skipSeparators();
      if (this.text[this.at] === '}') break;
      const key = this.text[this.at] === '"' ? this.string() : this.expression();
      this.skipSpace();
      if (this.text[this.at] !== '=' && this.text[this.at] !== ':') throw new Error(`expected = after ${key}`);
      this.at++;
      result[key] = this.value();
    }
    this.at++;
    return result;
  }

  private tuple(): unknown[] {
    const result: unknown[] = [];
    this.at++;
    for (;;) {
      this.skipSeparators();
      if (this.text[this.at] === ']') break;
      result.push(this.value());
    }
    this.at++;
    return result;
  }

  /** A quoted string; `${...}` templates inside it are kept verbatim (they may contain quotes). */
  private string(): string {
    let result = '';
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === '"') {
        this.at++;
        return result;
      }
      if (c === '\\') {
        const next = this.text[this.at + 1];
        result += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        this.at += 2;
      } else if (c === '$' && this.text[this.at + 1] === '{') {
        const start = this.at;
        this.at++;
        this.skipBalanced();
        result += this.text.slice(start, this.at);
      } else {
        result += c;
        this.at++;
      }
    }
    throw new Error('unterminated string');
  }

  /** A bare expression up to the next top-level `,` `=` `:` or closing bracket. */
  private expression(): string {
    const start = this.at;
    while (this.at < this.text.length && !/[,=:\]}\n]/.test(this.text[this.at])) {
      if ('([{'.includes(this.text[this.at])) this.skipBalanced();
      else if (this.text[this.at] === '"') this.string();
      else this.at++;
    }
    const raw = this.text.slice(start, this.at).trim();
    if (raw === '') throw new Error(`expected a value at "${this.text.slice(start, start + 20)}"`);
    return raw;
  }

  /** Skips from an opening bracket to just past its closing one, strings included. */
  private skipBalanced(): void {
    let depth = 0;
    do {
      const c = this.text[this.at];
      if (c === '"') {
        this.string();
        continue;
      }
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth--;
      this.at++;
    } while (depth > 0 && this.at < this.text.length);
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }

  private skipSeparators(): void {
    while (/[\s,]/.test(this.text[this.at] ?? '')) this.at++;
  }
}

/**
 * Renders a plan report as one pull-request comment: summary table, destroy/replace warnings, failed
 * plans with Terraform's diagnostics, stacks re-planned on deploy, the settings file and its diff, then
 * collapsible per-stack details
 * (Terraform's own rendering). GitHub rejects comment bodies over 65,536 characters.
 *
 * The bound is by construction, not by tuning: every line goes through `Budget`, which counts each
 * line with its newline and refuses a line that would pass its capacity, and the comment is exactly
 * those lines, each followed by a newline. When the whole report does not fit, the cut-off note is
 * reserved first, then parts are added in order of importance (which is also the order they appear):
 * the table, every destroy and replace by name, the failures, the note, the settings, the details.
 */
import { COUNTED, Counted, DestructiveChange, PlanReport, StackReport, hasChanges } from './report';

/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Hidden marker that identifies the sticky comment, so CI updates it in place. */
export const COMMENT_MARKER = '<!-- cdktf-plan-report -->';

export interface RenderOptions {
  /** Maximum characters; the full report when omitted. */
  readonly limit?: number;
  /** Where the full report can be read, said when something is cut. */
  readonly fullReport?: string;
  /** Heading text, e.g. "Terraform plan for 1a2b3c4". */
  readonly title?: string;
  /**
   * The settings file and its diff against the base branch (scripts/plan/settings-diff.ts): Markdown,
   * bounded in size, shown whole after the warnings and before the details.
   */
  readonly settings?: string;
}

/** In a cut comment: longest address, reason and details line shown whole. */
const ADDRESS_MAX = 300;
const REASON_MAX = 300;
const LINE_MAX = 1_000;

/** Lines that never add up to more than `capacity` characters, newlines included. */
class Budget {
  private readonly lines: string[] = [];
  private used = 0;

  constructor(private readonly capacity: number) {}

  static cost(lines: readonly string[]): number {
    return lines.reduce((n, line) => n + line.length + 1, 0);
  }

  /** Whether `lines` fit while keeping `reserved` characters for what must follow. */
  fits(lines: readonly string[], reserved = 0): boolean {
    return this.used + Budget.cost(lines) + reserved <= this.capacity;
  }

  add(lines: readonly string[]): void {
    if (!this.fits(lines)) throw new Error(`internal error: ${Budget.cost(lines)} characters over the comment budget`);
    this.lines.push(...lines);
    this.used += Budget.cost(lines);
  }

  /** Adds `lines` when they fit (with `reserved` to spare); says whether it did. */
  tryAdd(lines: readonly string[], reserved = 0): boolean {
    if (!this.fits(lines, reserved)) return false;
    this.add(lines);
    return true;
  }

  get text(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }
}

/** Text inside a fenced block must not close the fence. */
const fenceSafe = (text: string) => text.replace(/```/g, "'''");

const shorten = (text: string, max: number | undefined) =>
  max === undefined || text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Counts shown as columns: add, change, replace, destroy always; import, move, forget when any plan has them. */
function columns(report: PlanReport): Counted[] {
  const base: Counted[] = ['add', 'change', 'replace', 'destroy'];
  return COUNTED.filter((c) => base.includes(c) || report.stacks.some((s) => s.counts[c] > 0));
}

function totals(report: PlanReport): string {
  const total = (c: Counted) => report.stacks.reduce((n, s) => n + s.counts[c], 0);
  const optional = (c: Counted) => (total(c) > 0 ? [`${total(c)} to ${c}`] : []);
  const parts = [
    ...optional('import'),
    ...(['add', 'change', 'replace', 'destroy'] as const).map((c) => `${total(c)} to ${c}`),
    ...optional('move'),
    ...optional('forget'),
  ];
  return `**${report.stacks.length} stack(s): ${parts.join(', ')}.**`;
}

function note(stack: StackReport): string {
  if (stack.status === 'failed') return '**plan failed**: see below';
  if (stack.status === 'skipped') return `not planned: ${stack.skipped}`;
  if (stack.plannedAgainst) {
    return `**re-planned on deploy**: read the planned outputs of ${stack.plannedAgainst.upstream
      .map(code)
      .join(', ')}`;
  }
  return '';
}

function headerLines(report: PlanReport, title: string): string[] {
  const shown = columns(report);
  return [
    COMMENT_MARKER,
    `## ${title}`,
    '',
    totals(report),
    '',
    `| stack | ${shown.join(' | ')} | note |`,
    `|---|${shown.map(() => '---:|').join('')}---|`,
    ...report.stacks.map(
      (s) =>
        `| ${code(s.stack)} | ${shown
          .map((c) => (s.status === 'planned' ? String(s.counts[c]) : '–'))
          .join(' | ')} | ${note(s)} |`,
    ),
    '',
  ];
}

const verb = (d: DestructiveChange) => (d.kind === 'destroy' ? 'destroyed' : 'replaced');

/**
 * The destroy/replace warning: every one named with its reason; when those do not fit, every one
 * named without its reason; only when even the names do not fit, as many as fit and the count of the rest.
 */
function addDestructive(out: Budget, destructive: readonly DestructiveChange[], cut: boolean): void {
  if (destructive.length === 0) return;
  const head = [
    '> [!CAUTION]',
    `> **${destructive.length} resource(s) will be destroyed or replaced.** Check each one before approving:`,
  ];
  const address = (d: DestructiveChange) => code(shorten(d.address, cut ? ADDRESS_MAX : undefined));
  const withReasons = destructive.map(
    (d) => `> - ${code(d.stack)}: ${address(d)} **${verb(d)}**: ${shorten(d.reason, cut ? REASON_MAX : undefined)}`,
  );
  if (out.tryAdd([...head, ...withReasons, ''])) return;
  const stacks = [...new Set(destructive.map((d) => d.stack))];
  const namesOnly = stacks.map(
    (stack) =>
      `> - ${code(stack)}: ${destructive
        .filter((d) => d.stack === stack)
        .map((d) => `${address(d)} (${verb(d)})`)
        .join(', ')}`,
  );
  if (out.tryAdd([...head, ...namesOnly, '> Reasons: see the full report.', ''])) return;
  const rest = (n: number) => [`> - ... and ${n} more: see the full report`, ''];
  if (!out.tryAdd(head, Budget.cost(rest(destructive.length)))) return;
  let shown = 0;
  while (
    shown < destructive.length &&
    out.tryAdd(
      [`> - ${code(destructive[shown].stack)}: ${address(destructive[shown])} (${verb(destructive[shown])})`],
      Budget.cost(rest(destructive.length)),
    )
  ) {
    shown++;
  }
  out.add(shown < destructive.length ? rest(destructive.length - shown) : ['']);
}

/**
 * A collapsible block of text lines; in a cut comment, as many lines as fit (the cut note and the
 * closing lines are reserved before any line is added); left out when not even its frame fits.
 */
function addBlock(out: Budget, summary: string, lines: readonly string[], cut: boolean, open = false): void {
  const first = [`<details${open ? ' open' : ''}><summary>${summary}</summary>`, '', '```text'];
  const last = ['```', '</details>', ''];
  const cutNote = (left: number) => `... ${left} more line(s) cut: see the full report`;
  const reserved = Budget.cost([cutNote(lines.length), ...last]);
  if (!out.tryAdd(first, reserved)) return;
  let kept = 0;
  for (const line of lines) {
    if (!out.tryAdd([fenceSafe(shorten(line, cut ? LINE_MAX : undefined))], reserved)) break;
    kept++;
  }
  out.add([...(kept < lines.length ? [cutNote(lines.length - kept)] : []), ...last]);
}

function countsText(stack: StackReport): string {
  const parts = COUNTED.filter((c) => stack.counts[c] > 0).map((c) => `${stack.counts[c]} to ${c}`);
  const outputs = stack.outputs > 0 ? [`${stack.outputs} output(s) change`] : [];
  return [...parts, ...outputs].join(', ') || 'no changes';
}

/** Renders the report into `out`, in order of importance; in a cut comment, parts that do not fit are left out. */
function render(out: Budget, report: PlanReport, options: RenderOptions, cut: boolean): void {
  const header = headerLines(report, options.title ?? 'Terraform plan');
  if (!out.tryAdd(header)) {
    for (const line of header) if (!out.tryAdd([shorten(line, LINE_MAX)])) return;
  }
  addDestructive(out, report.destructive, cut);

  const failed = report.stacks.filter((s) => s.status !== 'planned');
  if (failed.length > 0) {
    out.tryAdd([
      '> [!CAUTION]',
      `> **No reviewable plan: ${failed.length} stack(s) did not plan (${failed
        .map((s) => code(s.stack))
        .join(', ')}).** ` + 'Nothing can be applied until every stack plans. Terraform said:',
      '',
    ]);
    for (const stack of failed.filter((s) => s.diagnostics)) {
      addBlock(out, `<code>${stack.stack}</code>: Terraform's diagnostics`, stack.diagnostics!.split('\n'), cut, true);
    }
  }

  const replanned = report.stacks.filter((s) => s.plannedAgainst);
  if (replanned.length > 0) {
    out.tryAdd([
      '> [!NOTE]',
      '> **Re-planned on deploy:** these stacks read the outputs their upstream stacks will have after this change ' +
        '(an output is new or changes), not the current state. Values unknown until the upstream is applied are ' +
        'placeholders, shown as "(re-planned on deploy)". On merge the upstream is applied first, then each of ' +
        'these stacks is planned again against the real outputs and applied only when the new plan matches this ' +
        'one apart from the placeholders; otherwise the deploy stops and posts the new plan for approval.',
      ...replanned.map((s) => {
        const names = s.plannedAgainst!.placeholders.map((p) => code(`${p.stack}.${p.output}${p.path}`));
        const text =
          names.length > 0 ? `placeholders for ${names.join(', ')}` : 'no placeholders (every value was known)';
        return shorten(`> - ${code(s.stack)}: ${text}`, cut ? LINE_MAX : undefined);
      }),
      '',
    ]);
  }
  if (failed.length === 0 && !report.stacks.some(hasChanges)) {
    out.tryAdd(['No changes. The infrastructure matches the configuration.', '']);
  }

  if (options.settings !== undefined) {
    const lines = [...options.settings.replace(/\n$/, '').split('\n'), ''];
    if (!out.tryAdd(lines)) out.tryAdd([`The settings section (${Budget.cost(lines)} characters) did not fit: see the full report.`, '']);
  }
  const changing = report.stacks.filter((s) => s.status === 'planned' && hasChanges(s));
  if (changing.length > 0 && out.tryAdd(['### Details', ''])) {
    for (const stack of changing)
      addBlock(out, `<code>${stack.stack}</code>: ${countsText(stack)}`, stack.details, cut);
  }
}

/**
 * The report as Markdown. With a limit, the comment is at most `limit` characters: the full report
 * when it fits, otherwise the parts that fit in order of importance and a note saying where the full
 * report is.
 */
export function renderMarkdown(report: PlanReport, options: RenderOptions = {}): string {
  const full = new Budget(Number.POSITIVE_INFINITY);
  render(full, report, options, false);
  if (options.limit === undefined || full.text.length <= options.limit) return full.text;

  const where = options.fullReport ?? 'run `npm run plan`';
  const footer = [`**Cut to fit GitHub's ${GITHUB_COMMENT_LIMIT}-character comment limit.** Full report: ${where}`];
  if (Budget.cost(footer) > options.limit)
    throw new Error(`a ${options.limit}-character limit cannot hold the cut note`);
  const cut = new Budget(options.limit - Budget.cost(footer));
  render(cut, report, options, true);
  return `${cut.text}${footer[0]}\n`;
}

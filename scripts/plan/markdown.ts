/**
 * Renders a plan report as one pull-request comment: summary table, destroy/replace warnings,
 * collapsible per-stack details. GitHub rejects comment bodies over 65,536 characters, so details are
 * cut to fit, never the summary or the warnings, and the comment then says where the full report is.
 */
import { AttributeChange, PlanReport, ResourceLine, StackReport, hasChanges } from './report';

/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Hidden marker that identifies the sticky comment, so CI updates it in place. */
export const COMMENT_MARKER = '<!-- cdktf-plan-report -->';

export interface RenderOptions {
  /** Maximum characters; the full report when omitted. */
  readonly limit?: number;
  /** Where the full report can be read, said when details are cut. */
  readonly fullReport?: string;
  /** Heading text, e.g. "Terraform plan for 1a2b3c4". */
  readonly title?: string;
  /** A size-bounded Markdown section kept whole after the summary (scripts/plan/settings-diff.ts). */
  readonly settings?: string;
}

const SYMBOL: Record<ResourceLine['kind'], string> = { add: '+', change: '~', replace: '-/+', destroy: '-' };
const VERB: Record<ResourceLine['kind'], string> = {
  add: 'create',
  change: 'update in place',
  replace: 'replace',
  destroy: 'destroy',
};

/** Text inside a fenced block must not close the fence. */
const fenceSafe = (text: string) => text.replace(/```/g, "'''");

function attributeLine(attribute: AttributeChange): string {
  const value = attribute.before === undefined ? attribute.after : `${attribute.before} -> ${attribute.after}`;
  return fenceSafe(`      ${attribute.name} = ${value}${attribute.forcesReplacement ? '   # forces replacement' : ''}`);
}

function detailLines(stack: StackReport): string[] {
  const lines: string[] = [];
  for (const item of [...stack.resources, ...stack.outputs]) {
    lines.push(fenceSafe(`${SYMBOL[item.kind].padEnd(3)} ${item.address} (${VERB[item.kind]})`));
    lines.push(...item.attributes.map(attributeLine));
  }
  return lines;
}

function countsText(stack: StackReport): string {
  const parts = (['add', 'change', 'replace', 'destroy'] as const)
    .filter((kind) => stack[kind] > 0)
    .map((kind) => `${stack[kind]} to ${kind}`);
  const outputs = stack.outputs.length > 0 ? [`${stack.outputs.length} output(s) change`] : [];
  return [...parts, ...outputs].join(', ') || 'no changes';
}

function header(report: PlanReport, title: string, shownWarnings = report.destructive.length): string {
  const total = (kind: 'add' | 'change' | 'replace' | 'destroy') => report.stacks.reduce((n, s) => n + s[kind], 0);
  const lines = [
    COMMENT_MARKER,
    `## ${title}`,
    '',
    `**${report.stacks.length} stack(s): ${total('add')} to add, ${total('change')} to change, ` +
      `${total('replace')} to replace, ${total('destroy')} to destroy.**`,
    '',
    '| stack | add | change | replace | destroy | provisional |',
    '|---|---:|---:|---:|---:|---|',
    ...report.stacks.map(
      (s) =>
        `| \`${s.stack}\` | ${s.add} | ${s.change} | ${s.replace} | ${s.destroy} | ` +
        `${
          s.provisional ? `**yes**: ${s.changingUpstream.map((u) => `\`${u}\``).join(', ')} change(s) first` : 'no'
        } |`,
    ),
    '',
  ];
  if (report.destructive.length > 0) {
    lines.push(
      '> [!CAUTION]',
      `> **${report.destructive.length} resource(s) will be destroyed or replaced.** Check each one before approving:`,
      ...report.destructive
        .slice(0, shownWarnings)
        .map(
          (d) =>
            `> - \`${d.stack}\`: \`${d.address}\` **${d.kind === 'destroy' ? 'destroyed' : 'replaced'}**: ${d.reason}`,
        ),
      ...(shownWarnings < report.destructive.length
        ? [`> - ... and ${report.destructive.length - shownWarnings} more: see the full report`]
        : []),
      '',
    );
  }
  if (report.stacks.some((s) => s.provisional)) {
    lines.push(
      '> [!NOTE]',
      '> A **provisional** plan read the current outputs of a stack that changes in this same set of plans ' +
        '(cdktf passes them through `terraform_remote_state`). On merge, the upstream stack is applied first; ' +
        'if its outputs then differ from what this plan read, the downstream stack is planned again and the ' +
        'deploy stops for approval when the new plan differs from this one.',
      '',
    );
  }
  if (!report.stacks.some(hasChanges)) {
    lines.push('No changes. The infrastructure matches the configuration.', '');
  }
  return lines.join('\n');
}

function detailsBlock(stack: StackReport, lines: readonly string[], cutNote?: string): string {
  return [
    `<details><summary><code>${stack.stack}</code>: ${countsText(stack)}</summary>`,
    '',
    '```text',
    ...lines,
    ...(cutNote ? [cutNote] : []),
    '```',
    '</details>',
    '',
  ].join('\n');
}

/**
 * The report as Markdown. With a limit, the header and warnings are always kept whole; details get
 * what is left, stack by stack in dependency order, and each cut says how much was left out.
 */
export function renderMarkdown(report: PlanReport, options: RenderOptions = {}): string {
  const title = options.title ?? 'Terraform plan';
  const head = (shown?: number) => header(report, title, shown) + (options.settings ? `${options.settings}\n` : '');
  const stacks = report.stacks.filter(hasChanges);
  const full = [
    head(),
    ...(stacks.length > 0 ? ['### Details', ''] : []),
    ...stacks.map((s) => detailsBlock(s, detailLines(s))),
  ].join('\n');
  if (options.limit === undefined || full.length <= options.limit) return full;

  const where = options.fullReport ?? 'run `npm run plan` for the full report';
  const footer = `\n**Details were cut to fit GitHub's ${GITHUB_COMMENT_LIMIT}-character comment limit.** Full report: ${where}\n`;
  // Only when the warnings alone exceed the limit (thousands of destroys) is their list shortened,
  // so that the comment can still be posted; the count in the warning's first line stays exact.
  let top = head();
  const reserve = footer.length + 2_000;
  if (top.length + reserve > options.limit) {
    let shown = report.destructive.length;
    while (shown > 0 && head(shown).length + reserve > options.limit) shown = Math.floor(shown * 0.9);
    top = head(shown);
  }
  // Every changing stack keeps its collapsible block (with a cut note); lines fill what is left, in order.
  const blocks = stacks.map((stack) => {
    const lines = detailLines(stack);
    const cutNote = (left: number) => `... ${left} more line(s) of ${stack.stack} cut: see the full report`;
    return { stack, lines, cutNote, overhead: detailsBlock(stack, [], cutNote(lines.length)).length + 1 };
  });
  let remaining =
    options.limit - top.length - footer.length - '### Details\n\n'.length - blocks.reduce((n, b) => n + b.overhead, 0);
  const rendered = blocks.map(({ stack, lines, cutNote }) => {
    const kept: string[] = [];
    for (const line of lines) {
      if (line.length + 1 > remaining) break;
      kept.push(line);
      remaining -= line.length + 1;
    }
    return detailsBlock(stack, kept, kept.length < lines.length ? cutNote(lines.length - kept.length) : undefined);
  });
  return [top, '### Details', '', ...rendered, footer].join('\n');
}

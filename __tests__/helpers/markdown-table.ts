/** The rows of the markdown table under `## <heading>`, without its header, split into unescaped cells. */
export function tableRows(markdown: string, heading: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| id |') && !line.startsWith('| rule |'))
    .map((line) => line.slice(2, -2).split(/(?<!\\) \| /).map((c) => c.replace(/\\(.)/g, '$1')));
}

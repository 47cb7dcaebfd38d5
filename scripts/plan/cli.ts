/** What the plan commands share: flag parsing, usage errors, and one-line error reporting. */
import { UsageError } from '../lib/cli';

export { parseFlags, runCommand, UsageError } from '../lib/cli';

export interface Console {
  readonly print: (text: string) => void;
  readonly printError: (text: string) => void;
}

export const realConsole: Console = {
  print: (text) => console.log(text),
  printError: (text) => console.error(text),
};

/** `--stacks a,b` as a list, rejecting names the synthesized app does not have. */
export function parseStackList(value: string | undefined, known: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--stacks ${JSON.stringify(value)}: unknown stack(s) ${
        unknown.join(', ') || '(none given)'
      }; the app has ${known.join(', ')}`,
    );
  }
  return names;
}

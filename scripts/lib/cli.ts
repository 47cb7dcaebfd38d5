/**
 * What every command shares: strict flag parsing, `--help`, and exit codes. A command is
 *
 *   runCli(USAGE, { runs: { type: 'string' } }, async (flags) => { ...; return 0; });
 *
 * `--help` prints the usage and exits 0 before the command does any work; an unknown flag, a
 * positional argument or a flag without its value prints one line and the usage and exits 2; a
 * UsageError thrown by the command (a flag value out of range) does the same; a ConfigError (a bad
 * environment variable) prints one line and exits 1. None of them prints a stack trace.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { ConfigError } from '../../stacks/config';

/** A mistake on the command line: reported as one line and the usage, exit code 2. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type FlagSpec = Record<string, { type: 'boolean' | 'string' }>;
export type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };

/** Parses `--flag` and `--flag value` options (and `--flag=value`); anything else is a UsageError. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S> {
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values as Flags<S>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Whether the command line asks for help; checked before anything else, so `--help` always works. */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

/**
 * Runs a command's main function with the process's arguments and sets the exit code from its result
 * (see the file comment for what each kind of failure prints).
 */
export function runCli<S extends FlagSpec>(
  usage: string,
  spec: S,
  main: (flags: Flags<S>) => number | Promise<number>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<number> {
  const run = async (): Promise<number> => {
    if (wantsHelp(argv)) {
      console.log(usage);
      return EXIT_OK;
    }
    return main(parseFlags(argv, spec));
  };
  return run()
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}\n\n${usage}`);
        return EXIT_USAGE;
      }
      if (error instanceof ConfigError) {
        console.error(`error: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    })
    .then((code) => {
      process.exitCode = code;
      return code;
    });
}

/** A whole number from a flag's text, or a UsageError naming the flag and the range. */
export function integerFlag(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** A file a flag names, as text; a file that cannot be read is a UsageError naming the flag and why. */
export function readFlagFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : message;
    throw new UsageError(`cannot read --${flag} ${file}: ${reason}`);
  }
}

/**
 * Runs a command that reports through its own output functions (so tests can capture them): a
 * UsageError prints one line and the usage and returns 2; any other error prints its message and
 * returns 1; never a stack trace.
 */
export async function runCommand(
  io: { readonly printError: (line: string) => void },
  usage: string,
  command: () => Promise<number> | number,
): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      io.printError(`error: ${error.message}\n\n${usage}`);
      return EXIT_USAGE;
    }
    io.printError(`error: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
}

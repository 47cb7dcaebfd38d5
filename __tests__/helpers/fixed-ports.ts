/**
 * Finds fixed port numbers in test code: a server a test starts on a fixed port fails when another copy
 * of the suite (or anything else on the machine) holds that port, so tests listen on port 0 and use the
 * port they got. Reads the code with the TypeScript parser, so comments and unrelated numbers (a
 * callback URL in a configuration test) are not findings. A finding is a literal port (1-65535, as a
 * number or a string of digits, or through String()/Number()):
 *
 * - passed to a call named `listen` (`server.listen(3000)`, `listen(server, 3000)`);
 * - given to a name that has the word "port" in it: a variable, a property, an environment variable or
 *   an assignment (`const PORT = 3117`, `{ port: 3117 }`, `{ PORT: '3117' }`, `env.PORT = '3117'`), but
 *   not a security group rule's `fromPort`/`toPort`.
 *
 * A port that names a remote endpoint, never one a test listens on (the workgroup's 5439 in a
 * configuration test), is marked on its line or the line above with `fixed-port-ok: <reason>`.
 */
import ts from 'typescript';

export interface FixedPort {
  readonly line: number;
  readonly text: string;
}

/**
 * `apiPort`, `LISTEN_PORT`, `port`: the word "port" in a name, not "report" or "export", nor a port range
 * of a security group rule (`fromPort`, `to_port`), which is infrastructure, not a socket.
 */
function namesAPort(name: string): boolean {
  const words = name.split(/_|(?<=[a-z0-9])(?=[A-Z])/).map((word) => word.toLowerCase());
  return words.includes('port') && !words.includes('from') && !words.includes('to');
}

function literalPort(node: ts.Node): boolean {
  if (ts.isParenthesizedExpression(node)) return literalPort(node.expression);
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ['String', 'Number'].includes(node.expression.text)) {
    return node.arguments.length === 1 && literalPort(node.arguments[0]);
  }
  const text = ts.isNumericLiteral(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
  if (text === undefined || !/^\d+$/.test(text)) return false;
  const port = Number(text);
  return port >= 1 && port <= 65_535;
}

function nameOf(node: ts.Node): string | undefined {
  if (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) return nameOf(node.argumentExpression);
  return undefined;
}

const namedPort = (name: ts.Node | undefined): boolean => {
  const text = name === undefined ? undefined : nameOf(name);
  return text !== undefined && namesAPort(text);
};

/** The fixed ports in one file's source text. */
export function findFixedPorts(fileName: string, source: string): FixedPort[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: FixedPort[] = [];
  const sourceLines = source.split('\n');
  const marked = (line: number) => [sourceLines[line - 1], sourceLines[line - 2]].some((text) => /fixed-port-ok: \S/.test(text ?? ''));
  const report = (node: ts.Node) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    if (!marked(line)) found.push({ line, text: node.getText(file) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && nameOf(node.expression) === 'listen' && node.arguments.some(literalPort)) report(node);
    else if (ts.isVariableDeclaration(node) && node.initializer && namedPort(node.name) && literalPort(node.initializer)) report(node);
    else if (ts.isPropertyAssignment(node) && namedPort(node.name) && literalPort(node.initializer)) report(node);
    else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      namedPort(node.left) &&
      literalPort(node.right)
    ) {
      report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * No test listens on, or hands a server, a fixed port: another copy of the suite, or anything else on
 * the machine, may hold it (two suites started together once failed 11 tests with "port 3117 is
 * already in use"). Servers in tests listen on port 0 and report the port they got.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findFixedPorts } from './helpers/fixed-ports';

const TESTS = __dirname;

function testSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testSources(file);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [file] : [];
  });
}

test('every test file and test helper is checked', () => {
  const files = testSources(TESTS).map((file) => path.relative(TESTS, file));
  expect(files).toEqual(expect.arrayContaining(['local-server.test.ts', 'api-scripts.test.ts', path.join('helpers', 'child-process.ts')]));
});

test('no test or test helper listens on, or passes, a fixed port', () => {
  const found = testSources(TESTS).flatMap((file) =>
    findFixedPorts(file, fs.readFileSync(file, 'utf8')).map(({ line, text }) => `${path.relative(TESTS, file)}:${line}: ${text}`),
  );
  expect(found).toEqual([]);
});

describe('the check', () => {
  const lines = (source: string) => findFixedPorts('sample.ts', source).map(({ line }) => line);

  test('finds a literal port given to listen or to anything named a port', () => {
    const source = [
      'server.listen(3117);',
      "listen(server, '3117');",
      'const PORT = 3117;',
      'let apiPort = String(8080);',
      'startLocalApi({ port: 3117, dataFile });',
      "spawn(cmd, { env: { ...process.env, PORT: '3190' } });",
      "process.env.PORT = '3000';",
      "env['LISTEN_PORT'] = Number('4000');",
      'const port = 65535;',
    ].join('\n');
    expect(lines(source)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('leaves port 0, ports a server reported, and numbers that are not ports', () => {
    const source = [
      "server.listen(0, '127.0.0.1', resolve);",
      'startLocalApi({ port: 0 });',
      'const { port } = server.address() as AddressInfo;',
      'process.env.PORT = String(port);',
      'startLocalApi({ port: api.port });',
      "// the old server listened on port 3117: server.listen(3117)",
      "const callbackUrls = ['http://localhost:8080/callback'];",
      'const report = 3117; const transport = { timeout: 3000 };',
      "const PORT_NOTE = 'use PORT=3000';",
      'const port = 70000;',
      "new SecurityGroupRule(scope, 'redshift', { fromPort: 5439, toPort: 5439, from_port: 443, to_port: 443 });",
      "loadHandlerConfig({ WAREHOUSE_PORT: '5439' }); // fixed-port-ok: the workgroup's port, a remote endpoint",
      '// fixed-port-ok: the endpoint the direct transport connects to, not a socket a test opens',
      "const endpoint = { WAREHOUSE_PORT: '5440' };",
    ].join('\n');
    expect(lines(source)).toEqual([]);
  });

  test('a fixed-port-ok marker needs a reason, and covers only its own line and the next', () => {
    const source = ['// fixed-port-ok:', 'const PORT = 3117;', '// fixed-port-ok: a reason', '', 'const port = 3118;'].join('\n');
    expect(lines(source)).toEqual([2, 5]);
  });
});

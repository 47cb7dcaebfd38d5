/**
 * The local token issuer's key pair, shared through a file by `npm start` (which verifies) and
 * `npm run token -- --local` (which signs), two processes that may start at the same moment. Seen
 * once: a fresh token answered 401 ten times, identical retries 200. Cause: the key file was created
 * empty and then written, and a token command reading it in between failed, so
 * `TOKEN=$(npm run -s token -- --local)` held nothing. These tests pin the fix (a key file that only
 * ever appears whole, one key for every process) and the verifier's cache.
 */
// The module object itself (a namespace import is a copy whose properties cannot be spied on).
import fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalSetupError } from '../scripts/local/errors';
import { createTokenVerifier, localToken } from '../scripts/local/issuer';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-issuer-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keyFile = () => path.join(dir, 'issuer-key.json');

test('a server and token commands that start together agree on one key: every token verifies everywhere', async () => {
  const [verifiers, tokens] = await Promise.all([
    Promise.all([1, 2, 3].map(() => createTokenVerifier(dir))),
    Promise.all([1, 2, 3].map(() => localToken({ cacheDir: dir }))),
  ]);
  for (const verify of verifiers) {
    for (const token of tokens) expect(await verify(`Bearer ${token}`)).toMatchObject({ ok: true });
  }
  expect(fs.readdirSync(dir)).toEqual(['issuer-key.json']);
  expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
});

test('the key file is never visible half-written, even to a reader that looks while a key is being written', async () => {
  // Another process reading at the worst moment: after a file is created, before its content is written.
  const readers: string[] = [];
  const lookAsAnotherProcess = () => {
    const text = fs.existsSync(keyFile()) ? fs.readFileSync(keyFile(), 'utf8') : undefined;
    readers.push(text === undefined ? 'absent' : text === '' ? 'EMPTY' : (JSON.parse(text) as { publicJwk: { kid: string } }).publicJwk.kid);
  };
  const write = fs.writeFileSync;
  jest.spyOn(fs, 'writeFileSync').mockImplementation((file, data, options) => {
    write(file, '', options as fs.WriteFileOptions);
    lookAsAnotherProcess();
    fs.rmSync(String(file));
    write(file, data, options as fs.WriteFileOptions);
    lookAsAnotherProcess();
  });
  await localToken({ cacheDir: dir });
  lookAsAnotherProcess();
  expect(readers).not.toContain('EMPTY');
  expect(readers.at(-1)).toMatch(/^[0-9a-f-]{36}$/);
});

test('a key file that cannot be read stops with one line naming it', async () => {
  fs.writeFileSync(keyFile(), '{"privateJwk": ');
  await expect(localToken({ cacheDir: dir })).rejects.toThrow(
    new LocalSetupError(`the local token issuer's key ${keyFile()} is unreadable: stop npm start, delete the file and start it again`),
  );
});

test('the verifier caches only tokens that passed: a refused token is checked again, and passes once valid', async () => {
  const verify = await createTokenVerifier(dir);
  const token = await localToken({ cacheDir: dir });
  const forged = `${token.slice(0, -4)}AAAA`;
  expect(await verify(`Bearer ${forged}`)).toEqual({ ok: false, reason: 'invalid' });
  expect(await verify(`Bearer ${token}`)).toMatchObject({ ok: true });
  expect(await verify(`Bearer ${forged}`)).toEqual({ ok: false, reason: 'invalid' });
});

/**
 * `npm run token` and `npm run predict` against local stand-ins: one local HTTP server plays both
 * Cognito's token endpoint and the API, and aws-sdk-client-mock plays Cognito's DescribeUserPoolClient.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as http from 'http';
import { createTokenVerifier, LOCAL_SCOPE } from '../scripts/local/issuer';
import * as os from 'os';
import { AddressInfo } from 'net';
import * as path from 'path';
import { GATEWAY_ANSWERS } from '../lambda-src/api-contract';
import { REMEDIATION_STRATEGIES } from '../lambda-src/features';
import { ApiEnvironment } from '../scripts/api/cli';
import { PREDICT_USAGE, predictMain } from '../scripts/api/predict';
import { TOKEN_USAGE, tokenMain } from '../scripts/api/token';
import { StackName, StackOutputs } from '../scripts/warehouse/stack-outputs';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const CLIENT_ID = 'machine-client-id';
const SECRET = 'machine-client-secret-never-printed';
const SCOPE = 'loan-remediation-dev-api/predict';
const TOKEN = 'eyJraWQiOiJ0ZXN0In0.eyJzY29wZSI6InByZWRpY3QifQ.c2ln';

const cognito = mockClient(CognitoIdentityProviderClient);

interface Recorded {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Cognito's token endpoint at /oauth2/token and the API at /v1/loan; `api` decides the API's answer. */
let server: http.Server;
let baseUrl: string;
let requests: Recorded[];
let api: (request: Recorded) => { status: number; body: unknown };
/** The local mode's folder for `--local` (the issuer key): this file's own, never the project's .local/. */
let localDir: string;

beforeAll(async () => {
  localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-scripts-local-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const recorded = { path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url === '/oauth2/token') {
        const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`;
        const form = new URLSearchParams(body);
        if (req.headers.authorization !== expected) return answer(400, { error: 'invalid_client' });
        if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== SCOPE) return answer(400, { error: 'invalid_scope' });
        return answer(200, { access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' });
      }
      const { status, body: json } = api(recorded);
      return answer(status, json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(localDir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  api = () => ({ status: 200, body: { effective: true, probability: 0.82, model: 'public.ml_fn_prediction', requestId: 'r-1' } });
  cognito.reset();
  cognito.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: CLIENT_ID, ClientSecret: SECRET } });
});

const apiOutputs = (): StackOutputs => ({
  invoke_url: `${baseUrl}/v1/loan`,
  user_pool_id: 'eu-west-2_AbCdEf123',
  machine_client_id: CLIENT_ID,
  people_client_id: 'people-client-id',
  token_endpoint: `${baseUrl}/oauth2/token`,
  predict_scope: SCOPE,
});

function testEnvironment(outputs: Partial<Record<StackName, StackOutputs>> = { api: apiOutputs() }) {
  const printed: string[] = [];
  const errors: string[] = [];
  const regions: string[] = [];
  const environment: ApiEnvironment = {
    outputs: () => ({ description: 'test outputs', locate: (stack) => `test outputs of ${stack}`, read: async (stack) => outputs[stack] }),
    createCognitoClient: (region) => {
      regions.push(region);
      return new CognitoIdentityProviderClient({ region });
    },
    print: (line) => printed.push(line),
    printError: (line) => errors.push(line),
    readFile: (file) => fs.readFileSync(path.resolve(__dirname, '..', file), 'utf8'),
    now: () => 0,
    localDir,
  };
  return { environment, printed, errors, regions };
}

describe('npm run token', () => {
  test('prints only the access token on stdout, after reading the secret from Cognito', async () => {
    const { environment, printed, errors, regions } = testEnvironment();
    expect(await tokenMain([], environment)).toBe(0);
    expect(printed).toEqual([TOKEN]);
    expect(cognito).toHaveReceivedCommandWith(DescribeUserPoolClientCommand, { UserPoolId: 'eu-west-2_AbCdEf123', ClientId: CLIENT_ID });
    expect(regions).toEqual(['eu-west-2']);
    expect([...printed, ...errors].join('\n')).not.toContain(SECRET);
    expect(errors.join('\n')).toContain('Authorization: Bearer $TOKEN');
  });

  test('a token endpoint that refuses the client: exit 1 with its error, never the secret', async () => {
    cognito.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: CLIENT_ID, ClientSecret: 'wrong' } });
    const { environment, printed, errors } = testEnvironment();
    expect(await tokenMain([], environment)).toBe(1);
    expect(printed).toEqual([]);
    expect(errors).toEqual(['error: the token endpoint answered 400: invalid_client']);
  });

  test('no permission to read the secret: exit 1 saying which call failed', async () => {
    cognito.on(DescribeUserPoolClientCommand).rejects(new NotAuthorizedException({ message: 'not allowed', $metadata: {} }));
    const { environment, errors } = testEnvironment();
    expect(await tokenMain([], environment)).toBe(1);
    expect(errors).toEqual(["error: cannot read the machine client's secret from Cognito (NotAuthorizedException: not allowed)"]);
  });

  test('nothing deployed: exit 1 with one line saying what to deploy', async () => {
    const { environment, printed, errors } = testEnvironment({});
    expect(await tokenMain([], environment)).toBe(1);
    expect(printed).toEqual([]);
    expect(errors).toEqual(['error: the api stack has no outputs (test outputs of api): deploy it first (npx cdktf deploy api)']);
  });

  test('--help prints the usage; a bad flag exits 2 with it', async () => {
    const help = testEnvironment();
    expect(await tokenMain(['--help'], help.environment)).toBe(0);
    expect(help.printed).toEqual([TOKEN_USAGE]);
    const bad = testEnvironment();
    expect(await tokenMain(['--nope'], bad.environment)).toBe(2);
    expect(bad.errors[0]).toMatch(/^error: Unknown option '--nope'.*\n\nUsage: npm run token/s);
  });
});

describe('--local: the local API of npm start', () => {
  const port = () => String((server.address() as AddressInfo).port);
  let savedPort: string | undefined;
  beforeEach(() => {
    savedPort = process.env.PORT;
    process.env.PORT = port();
  });
  afterEach(() => {
    if (savedPort === undefined) delete process.env.PORT;
    else process.env.PORT = savedPort;
  });

  test('token --local prints a token of the local issuer with the predict scope, without AWS', async () => {
    const { environment, printed } = testEnvironment({});
    expect(await tokenMain(['--local'], environment)).toBe(0);
    const verify = await createTokenVerifier(localDir);
    expect(await verify(`Bearer ${printed[0]}`)).toMatchObject({ ok: true, claims: { scope: LOCAL_SCOPE } });
    expect(cognito.commandCalls(DescribeUserPoolClientCommand)).toHaveLength(0);
  });

  test('predict --local calls http://127.0.0.1:$PORT/loan with a local token', async () => {
    const { environment, printed } = testEnvironment({});
    expect(await predictMain(['--local'], environment)).toBe(0);
    const call = requests.find((r) => r.path === '/loan')!;
    expect(await (await createTokenVerifier(localDir))(call.headers.authorization)).toMatchObject({ ok: true });
    expect(printed[0]).toBe(`POST http://127.0.0.1:${port()}/loan (dataset/test-request-body.json)`);
  });

  test('predict --local with no server running: one line that says to start it', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = String((closed.address() as AddressInfo).port);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.PORT = freePort;
    const { environment, errors } = testEnvironment({});
    expect(await predictMain(['--local'], environment)).toBe(1);
    expect(errors).toEqual([
      `error: cannot reach the API at http://127.0.0.1:${freePort}/loan: ECONNREFUSED: is the local server running? start it with npm start (same PORT)`,
    ]);
  });

  test('--local with --outputs-file is a usage error', async () => {
    const { environment, errors } = testEnvironment({});
    expect(await predictMain(['--local', '--outputs-file', 'x.json'], environment)).toBe(2);
    expect(errors[0]).toMatch(/^error: --local and --outputs-file cannot be combined\n\nUsage: npm run predict/);
  });
});

describe('npm run predict', () => {
  test('sends the sample request with the token and prints status and body', async () => {
    const { environment, printed } = testEnvironment();
    expect(await predictMain([], environment)).toBe(0);
    const call = requests.find((r) => r.path === '/v1/loan')!;
    expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.body)).toEqual(SAMPLE_APPLICATION);
    expect(printed[0]).toBe(`POST ${baseUrl}/v1/loan (dataset/test-request-body.json)`);
    expect(printed[1]).toBe('HTTP 200 in 0 ms');
    expect(JSON.parse(printed[2])).toEqual({ effective: true, probability: 0.82, model: 'public.ml_fn_prediction', requestId: 'r-1' });
  });

  test('--batch N sends one batch of N applications, each with the next remediation strategy, and prints each answer next to it', async () => {
    api = (request) => ({
      status: 200,
      body: {
        predictions: (JSON.parse(request.body) as { applications: unknown[] }).applications.map((_, index) => ({
          index,
          effective: index === 1,
          probability: index === 1 ? 0.8125 : 0.1,
        })),
      },
    });
    const { environment, printed } = testEnvironment();
    expect(await predictMain(['--batch', '3'], environment)).toBe(0);
    const sent = JSON.parse(requests.find((r) => r.path === '/v1/loan')!.body) as { applications: Record<string, unknown>[] };
    expect(sent.applications).toEqual(
      REMEDIATION_STRATEGIES.slice(0, 3).map((strategy) => ({ ...SAMPLE_APPLICATION, remediation_strategy: strategy })),
    );
    expect(printed[0]).toBe(`POST ${baseUrl}/v1/loan (a batch of 3 from dataset/test-request-body.json)`);
    expect((JSON.parse(printed[2]) as { predictions: unknown[] }).predictions).toHaveLength(3);
    expect(printed[3].split('\n')).toEqual([
      'index  remediation_strategy  effective  probability',
      `    0  ${REMEDIATION_STRATEGIES[0].padEnd(20)}  false      0.100`,
      `    1  ${REMEDIATION_STRATEGIES[1].padEnd(20)}  true       0.813`,
      `    2  ${REMEDIATION_STRATEGIES[2].padEnd(20)}  false      0.100`,
    ]);
  });

  test('401 from the API: prints it and exits 1', async () => {
    api = () => ({ status: 401, body: { error: GATEWAY_ANSWERS.unauthorized.error, requestId: 'r-2' } });
    const { environment, printed } = testEnvironment();
    expect(await predictMain([], environment)).toBe(1);
    expect(printed[1]).toBe('HTTP 401 in 0 ms');
    expect(JSON.parse(printed[2])).toEqual({ error: GATEWAY_ANSWERS.unauthorized.error, requestId: 'r-2' });
  });

  test('400 with details: the file is sent as it is and the details are printed', async () => {
    const details = [{ path: '$.age', message: 'must be an integer from 18 to 65' }];
    api = () => ({ status: 400, body: { error: 'Request body is invalid', details, requestId: 'r-3' } });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'predict-')), 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...SAMPLE_APPLICATION, age: 17 }));
    const { environment, printed } = testEnvironment();
    expect(await predictMain(['--file', file], environment)).toBe(1);
    expect(JSON.parse(requests.find((r) => r.path === '/v1/loan')!.body)).toMatchObject({ age: 17 });
    expect(printed[1]).toBe('HTTP 400 in 0 ms');
    expect(JSON.parse(printed[2])).toEqual({ error: 'Request body is invalid', details, requestId: 'r-3' });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('unreachable API: exit 1 with one line naming the URL and the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { environment, printed, errors } = testEnvironment({ api: { ...apiOutputs(), invoke_url: `http://127.0.0.1:${port}/v1/loan` } });
    expect(await predictMain([], environment)).toBe(1);
    expect(printed).toEqual([`POST http://127.0.0.1:${port}/v1/loan (dataset/test-request-body.json)`]);
    expect(errors).toEqual([`error: cannot reach the API at http://127.0.0.1:${port}/v1/loan: ECONNREFUSED`]);
  });

  test('nothing deployed: exit 1 with one line saying what to deploy', async () => {
    const { environment, errors } = testEnvironment({});
    expect(await predictMain([], environment)).toBe(1);
    expect(errors).toEqual(['error: the api stack has no outputs (test outputs of api): deploy it first (npx cdktf deploy api)']);
  });

  test.each([
    [['--batch', '0'], '--batch 0: expected a whole number from 1 to 10'],
    [['--batch', '11'], '--batch 11: expected a whole number from 1 to 10'],
    [['--file', 'no/such.json'], 'cannot read --file no/such.json: ENOENT'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('%j exits 2 with the reason and the usage, without calling anything', async (argv, reason) => {
    const { environment, errors } = testEnvironment();
    expect(await predictMain(argv, environment)).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0].startsWith(`error: ${reason}`)).toBe(true);
    expect(errors[0]).toContain(PREDICT_USAGE);
    expect(requests).toEqual([]);
    expect(cognito).not.toHaveReceivedCommand(DescribeUserPoolClientCommand);
  });

  test('--help prints the usage', async () => {
    const { environment, printed } = testEnvironment();
    expect(await predictMain(['--help'], environment)).toBe(0);
    expect(printed).toEqual([PREDICT_USAGE]);
  });
});

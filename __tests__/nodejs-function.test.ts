import './helpers/cdktf-matchers';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NodejsFunction, NodejsFunctionProps, bundleEntry } from '../stacks/constructs/nodejs-function';
import { CHILD_PROCESS_LIMIT, runChild } from './helpers/child-process';

const ENTRY = path.join(__dirname, '..', 'lambda-src', 'handler.ts');
const PROPS: NodejsFunctionProps = {
  entry: ENTRY,
  functionName: 'loan-predict',
  description: 'Predicts whether a remediation strategy will work',
  environment: { WORKGROUP_NAME: 'loan-dev', TABLE_NAME: 'public.loan_remediation' },
};

type Synthesized = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
};
const only = (json: string, kind: 'resource' | 'data', type: string) => {
  const blocks = Object.values((JSON.parse(json) as Synthesized)[kind][type]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
};

describe('NodejsFunction', () => {
  let json: string;
  let outdir: string;
  beforeAll(() => {
    json = Testing.synthScope((scope) => {
      outdir = App.of(scope).outdir;
      new NodejsFunction(scope, 'prediction', PROPS);
    });
  });

  it('creates a Node 22 function with X-Ray and the secure defaults, reserving no concurrency', () => {
    expect(Object.values((JSON.parse(json) as Synthesized).resource.aws_lambda_function)[0]).not.toHaveProperty(
      'reserved_concurrent_executions',
    );
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'loan-predict',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: ['arm64'],
      memory_size: 256,
      timeout: 28,
      tracing_config: { mode: 'Active' },
      environment: {
        variables: {
          NODE_OPTIONS: '--enable-source-maps',
          WORKGROUP_NAME: 'loan-dev',
          TABLE_NAME: 'public.loan_remediation',
        },
      },
    });
  });

  it('deploys the zipped bundle, redeploying exactly when its hash changes', () => {
    const fn = only(json, 'resource', 'aws_lambda_function');
    expect(fn.filename).toMatch(/^assets\/prediction_code_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/);
    expect(fn.filename).toContain(`/${String(fn.source_code_hash)}/`);
  });

  it('logs as JSON into its own log group, created with retention before the function', () => {
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/lambda/loan-predict',
      retention_in_days: 365,
    });
    const fn = only(json, 'resource', 'aws_lambda_function');
    expect(fn.logging_config).toEqual({
      log_format: 'JSON',
      log_group: '${aws_cloudwatch_log_group.prediction_log-group_4003DAD6.name}',
      application_log_level: 'INFO',
      system_log_level: 'WARN',
    });
    expect(fn.depends_on).toEqual([
      'aws_cloudwatch_log_group.prediction_log-group_4003DAD6',
      'aws_iam_role_policy.prediction_logs-and-tracing-policy_BC25ABE4',
    ]);
  });

  it('creates a role only Lambda can assume, allowed to write its own logs and traces', () => {
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'loan-predict-role' });
    expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] },
      ],
    });
    expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: ['${aws_cloudwatch_log_group.prediction_log-group_4003DAD6.arn}:*'],
        },
        {
          sid: 'WriteTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
          condition: [
            {
              test: 'StringEquals',
              variable: 'aws:RequestedRegion',
              values: ['${data.aws_region.prediction_region_088DF047.name}'],
            },
          ],
        },
      ],
    });
    expect(json).toHaveResourceWithProperties(IamRolePolicy, { role: '${aws_iam_role.prediction_role_37B9E9CB.name}' });
  });

  it('bundles one file with a source map into the app output, not the source tree', () => {
    const bundleDirs = fs.readdirSync(path.join(outdir, 'bundles'));
    expect(bundleDirs).toHaveLength(1);
    const bundleDir = path.join(outdir, 'bundles', bundleDirs[0]);
    expect(fs.readdirSync(bundleDir).sort()).toEqual(['index.js', 'index.js.map']);
    const code = fs.readFileSync(path.join(bundleDir, 'index.js'), 'utf8');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    // The pinned Data API client (with long polling) is inside, not loaded from the runtime.
    expect(code).not.toMatch(/require\("@aws-sdk\/client-redshift-data"\)/);
    expect(code).toContain('WaitTimeSeconds');
    expect(fs.readdirSync(path.dirname(ENTRY)).filter((f) => f.endsWith('.js'))).toEqual([]);
  });

  it('zips the bundle at synth, under 250 KB', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'api');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new NodejsFunction(stack, 'prediction', PROPS);
    app.synth();
    const assets = path.join(app.outdir, 'stacks', 'api', 'assets');
    const [asset] = fs.readdirSync(assets);
    const [hash] = fs.readdirSync(path.join(assets, asset));
    const archive = fs.statSync(path.join(assets, asset, hash, 'archive.zip'));
    expect(archive.size).toBeLessThan(250 * 1024);
  });

  describe('with props', () => {
    let entry: string;
    beforeAll(() => {
      entry = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodejs-function-')), 'index.ts');
      fs.writeFileSync(entry, 'export const main = async () => ({ statusCode: 200, body: "ok" });\n');
    });
    afterAll(() => fs.rmSync(path.dirname(entry), { recursive: true, force: true }));

    it('uses a role passed in, granting it the log and trace permissions', () => {
      const synthesized = Testing.synthScope((scope) => {
        const role = new IamRole(scope, 'shared-role', { name: 'shared', assumeRolePolicy: '{}' });
        new NodejsFunction(scope, 'fn', {
          entry,
          functionName: 'other',
          description: 'other',
          role,
          handlerExport: 'main',
          memorySize: 512,
          timeoutSeconds: 10,
          reservedConcurrency: 2,
          architecture: 'x86_64',
          logRetentionDays: 30,
          logKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
          environmentKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/env',
        });
      });
      const roles = Object.values((JSON.parse(synthesized) as Synthesized).resource.aws_iam_role);
      expect(roles).toHaveLength(1);
      expect(synthesized).toHaveResourceWithProperties(IamRolePolicy, { role: '${aws_iam_role.shared-role.name}' });
      expect(synthesized).toHaveResourceWithProperties(LambdaFunction, {
        role: '${aws_iam_role.shared-role.arn}',
        handler: 'index.main',
        memory_size: 512,
        timeout: 10,
        reserved_concurrent_executions: 2,
        architectures: ['x86_64'],
        kms_key_arn: 'arn:aws:kms:eu-west-1:111122223333:key/env',
      });
      expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, {
        retention_in_days: 30,
        kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
      });
    });

    it('refuses a function name too long for its role name', () => {
      expect(() =>
        Testing.synthScope((scope) => {
          new NodejsFunction(scope, 'fn', { entry, functionName: 'f'.repeat(60), description: 'too long' });
        }),
      ).toThrow('name too long');
    });
  });
});

describe('bundle cache', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
  const cacheDir = path.join(work, 'cache');
  const entry = path.join(work, 'entry.ts');
  const dependency = path.join(work, 'answer.ts');
  const bundle = (outdir: string) => fs.readFileSync(bundleEntry(entry, path.join(work, outdir), cacheDir), 'utf8');
  const cachedIndex = () => {
    const [slot] = fs.readdirSync(cacheDir);
    return path.join(cacheDir, slot, 'index.js');
  };
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('unchanged inputs reuse the cached bundle; a changed import rebuilds it', () => {
    fs.writeFileSync(dependency, "export const answer = 'first answer';\n");
    fs.writeFileSync(entry, "import { answer } from './answer';\nexport const handler = () => answer;\n");
    expect(bundle('out-1')).toContain('first answer');

    // Mark the cached copy: a cache hit hands the mark out, a rebuild would not.
    fs.appendFileSync(cachedIndex(), '\n// served from the cache\n');
    expect(bundle('out-2')).toContain('// served from the cache');

    fs.writeFileSync(dependency, "export const answer = 'second answer';\n");
    const rebuilt = bundle('out-3');
    expect(rebuilt).toContain('second answer');
    expect(rebuilt).not.toContain('// served from the cache');
  });

  test('synths bundling at the same time into one cache all succeed with the same bundle', async () => {
    // As parallel test workers (or two terminals) synthesize the api stack: each round starts from an
    // empty cache, so every process bundles and stores into the same slot while the others read it.
    const runners = CHILD_PROCESS_LIMIT;
    const rounds = 3;
    const sharedEntry = path.join(work, 'shared-entry.ts');
    fs.writeFileSync(sharedEntry, "export const handler = () => 'shared answer';\n");
    const child = (runner: number) => `const { bundleEntry } = require('./stacks/constructs/nodejs-function.ts');
      const { waitAtStartLine } = require('./__tests__/helpers/start-line.ts');
      const work = ${JSON.stringify(work)};
      for (let round = 0; round < ${rounds}; round++) {
        waitAtStartLine(work + '/start-' + round, ${runners});
        for (let synth = 0; synth < 2; synth++) {
          bundleEntry(${JSON.stringify(sharedEntry)}, work + '/shared-${runner}-' + round + '-' + synth, work + '/shared-cache-' + round);
        }
      }`;
    const root = path.join(__dirname, '..');
    const runs = await Promise.all(
      Array.from({ length: runners }, (_, runner) => runChild(process.execPath, ['--import', 'tsx', '-e', child(runner)], { cwd: root, timeoutMs: 25_000 })),
    );
    expect(runs.map((run) => run.stderr)).toEqual(Array(runners).fill(''));
    expect(runs.map((run) => run.code)).toEqual(Array(runners).fill(0));
    const bundles = fs.readdirSync(work).filter((name) => /^shared-\d/.test(name));
    expect(bundles).toHaveLength(runners * rounds * 2);
    expect(new Set(bundles.map((name) => fs.readFileSync(path.join(work, name, 'index.js'), 'utf8'))).size).toBe(1);
    for (let round = 0; round < rounds; round++) expect(fs.readdirSync(path.join(work, `shared-cache-${round}`))).toHaveLength(1);
  });

  test('the source map names sources relative to the project, so the bundle is the same wherever it is built', () => {
    bundle('out-4');
    const map = JSON.parse(fs.readFileSync(path.join(work, 'out-4', 'index.js.map'), 'utf8')) as { sources: string[] };
    const projectRoot = path.join(__dirname, '..');
    expect(map.sources).toContain(path.relative(projectRoot, dependency).split(path.sep).join('/'));
    expect(fs.readFileSync(path.join(work, 'out-4', 'index.js.map'))).toEqual(fs.readFileSync(path.join(work, 'out-3', 'index.js.map')));
  });
});

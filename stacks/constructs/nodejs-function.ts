import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { App, AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { buildSync, version as esbuildVersion } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

export interface NodejsFunctionProps {
  /** TypeScript (or JavaScript) entry file; esbuild bundles it at synth. */
  readonly entry: string;
  /** At most 59 characters: the created role is named `<functionName>-role`. */
  readonly functionName: string;
  readonly description: string;
  /** Plain configuration only (names, ARNs, limits): never secrets. */
  readonly environment?: Record<string, string>;
  /** Name of the function the entry exports. Default `handler`. */
  readonly handlerExport?: string;
  /** Default 256 MB. */
  readonly memorySize?: number;
  /** Default 28 s: API Gateway REST integrations give up at 29 s, so nothing behind one should run longer. */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency, which is also the function's cap. Default: none. AWS refuses a reservation
   * that leaves the account's unreserved concurrency below its minimum, which a new account's quota
   * (10 or 50) may not allow at all ("Configuring reserved concurrency for a function", AWS Lambda
   * Developer Guide).
   */
  readonly reservedConcurrency?: number;
  /** Default arm64 (cheaper per GB-second; the bundle is plain JavaScript). */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Default 365 days. */
  readonly logRetentionDays?: number;
  /** Customer-managed key for the log group (its key policy must allow CloudWatch Logs). */
  readonly logKmsKeyArn?: string;
  /** Customer-managed key for the environment variables. */
  readonly environmentKmsKeyArn?: string;
  /**
   * Subnets and security groups when the function runs in a VPC. The caller grants the role the
   * network-interface permissions Lambda needs and makes the function depend on that grant.
   */
  readonly vpcConfig?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Execution role. Default: a new role `<functionName>-role` trusted by Lambda only. */
  readonly role?: IamRole;
  /** Permissions boundary of the role this construct creates (the environment's, see the account stack). */
  readonly permissionsBoundary?: string;
}

/** The defaults of the optional props, in one place. */
export const NODEJS_FUNCTION_DEFAULTS = {
  handlerExport: 'handler',
  memorySize: 256,
  timeoutSeconds: 28,
  architecture: 'arm64',
  logRetentionDays: 365,
} as const satisfies Partial<NodejsFunctionProps>;

export const NODEJS_RUNTIME = 'nodejs22.x';

/**
 * Credential providers the AWS SDK's default chain loads only when the environment variables hold no
 * credentials, which never happens in Lambda. Left out of the bundle (about 130 KB of minified code,
 * mostly the STS/SSO clients); should one ever load, Node resolves it from the runtime's own SDK.
 * The clients the code calls, and the environment-variable provider, stay bundled.
 */
export const CREDENTIAL_PROVIDERS_UNUSED_IN_LAMBDA = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/nested-clients/*',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
];

/** The esbuild options of every bundle: part of the cache key, so a change here rebuilds. */
const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // Prefer the ES module builds: esbuild can drop their unused exports.
  mainFields: ['module', 'main'],
  external: CREDENTIAL_PROVIDERS_UNUSED_IN_LAMBDA,
  logLevel: 'warning',
} as const;

const PROJECT_ROOT = path.join(__dirname, '..', '..');
/** Where finished bundles are kept between synths (never committed: node_modules is ignored). */
export const DEFAULT_BUNDLE_CACHE = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'nodejs-function');
const OUTPUT_FILES = ['index.js', 'index.js.map'];

interface CacheManifest {
  /** esbuild version, options and entry. */
  readonly key: string;
  /** Every file esbuild read: size, modification time and the SHA-256 of its contents. */
  readonly inputs: Record<string, InputStamp>;
}

interface InputStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function stamp(file: string): InputStamp {
  const { size, mtimeMs } = fs.statSync(file);
  return { size, mtimeMs, sha256: sha256(fs.readFileSync(file)) };
}

function readManifest(file: string): CacheManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
}

/**
 * True when every input the cached bundle was built from still has the same contents: the same size
 * and modification time, or else the same hash (a checkout or a touch changes the time, not the text).
 */
function inputsUnchanged(inputs: Record<string, InputStamp>): boolean {
  return Object.entries(inputs).every(([file, before]) => {
    if (!fs.existsSync(file)) return false;
    const { size, mtimeMs } = fs.statSync(file);
    if (size !== before.size) return false;
    return mtimeMs === before.mtimeMs || sha256(fs.readFileSync(file)) === before.sha256;
  });
}

/**
 * Bundles `entry` into `<outdir>/index.js` plus `index.js.map`: one minified CommonJS file for Node 22
 * with every dependency inlined (the pinned AWS SDK client included, not the runtime's copy). The map
 * has positions but no sources, which keeps it small; NODE_OPTIONS=--enable-source-maps uses it for
 * stack traces. Returns the path of index.js.
 *
 * esbuild takes most of a synth's time, so the result is cached in `cacheDir` together with the hash
 * of every file esbuild read (from its metafile), the options and esbuild's version; a synth whose
 * inputs are all unchanged copies the cached files instead of bundling again.
 */
export function bundleEntry(entry: string, outdir: string, cacheDir: string = DEFAULT_BUNDLE_CACHE): string {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'index.js');
  const absoluteEntry = path.resolve(entry);
  const key = sha256(JSON.stringify([esbuildVersion, BUILD_OPTIONS, absoluteEntry]));
  const slot = path.join(cacheDir, key.slice(0, 16));
  const manifestFile = path.join(slot, 'manifest.json');
  const cached = readManifest(manifestFile);
  if (cached?.key === key && inputsUnchanged(cached.inputs) && copyOutputs(slot, outdir)) return outfile;

  const { metafile } = buildSync({ ...BUILD_OPTIONS, external: [...BUILD_OPTIONS.external], mainFields: [...BUILD_OPTIONS.mainFields], entryPoints: [absoluteEntry], outfile, metafile: true });
  // The map names sources relative to the output folder; relative to the project instead, the bundle
  // is the same wherever it is built (cdktf.out or a test's temporary folder), and so is its hash.
  const mapFile = `${outfile}.map`;
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[] };
  map.sources = map.sources.map((source) => path.relative(PROJECT_ROOT, path.resolve(outdir, source)).split(path.sep).join('/'));
  fs.writeFileSync(mapFile, JSON.stringify(map));
  // Metafile paths are relative to esbuild's working directory.
  const inputs = Object.fromEntries(
    Object.keys(metafile.inputs).map((input) => {
      const file = path.resolve(input);
      return [file, stamp(file)];
    }),
  );
  storeInCache(slot, outdir, { key, inputs });
  return outfile;
}

/** Copies a cached bundle into `outdir`; false when the slot went away meanwhile (another synth replaced it). */
function copyOutputs(slot: string, outdir: string): boolean {
  try {
    for (const file of OUTPUT_FILES) fs.copyFileSync(path.join(slot, file), path.join(outdir, file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Puts a fresh bundle into its cache slot. Other synths (parallel test workers, a second terminal) may be
 * reading or filling the same slot at that moment, so the new slot is prepared in a folder of this
 * process and renamed into place, and the old one renamed away before it is removed: a reader finds a
 * whole slot or none, never a half-written one.
 */
function storeInCache(slot: string, outdir: string, manifest: CacheManifest): void {
  const staging = `${slot}.${process.pid}`;
  const old = `${slot}.${process.pid}.old`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const file of OUTPUT_FILES) fs.copyFileSync(path.join(outdir, file), path.join(staging, file));
  fs.writeFileSync(path.join(staging, 'manifest.json'), JSON.stringify(manifest));
  for (const [from, to] of [[slot, old], [staging, slot]]) {
    try {
      fs.renameSync(from, to);
    } catch (error) {
      // The old slot is already gone, or another synth has just stored the same bundle: either will do.
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * A Lambda function from a TypeScript entry: bundled at synth with esbuild into the app's output
 * directory (never the source tree), zipped by a TerraformAsset, on Node 22 with X-Ray tracing active,
 * optional reserved concurrency, JSON logs into its own log group with retention (created before the function),
 * and an execution role that may write to that log group and X-Ray. Callers grant the role whatever
 * else the code calls (`this.role`).
 */
export class NodejsFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly asset: TerraformAsset;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const defaults = NODEJS_FUNCTION_DEFAULTS;
    const { functionName } = props;
    if (props.role === undefined && functionName.length > 59) {
      throw new Error(`NodejsFunction ${functionName}: name too long for the role name ${functionName}-role (64 max)`);
    }

    const bundleDir = path.join(App.of(this).outdir, 'bundles', this.node.addr);
    bundleEntry(props.entry, bundleDir);
    this.asset = new TerraformAsset(this, 'code', { path: bundleDir, type: AssetType.ARCHIVE });

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays ?? defaults.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    this.role = props.role ?? this.createRole(functionName, props.permissionsBoundary);
    const logAndTracePolicy = this.grantLogsAndTracing(functionName);

    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: props.description,
      runtime: NODEJS_RUNTIME,
      architectures: [props.architecture ?? defaults.architecture],
      handler: `index.${props.handlerExport ?? defaults.handlerExport}`,
      filename: this.asset.path,
      // Changes exactly when the bundle changes, so Terraform uploads new code only then.
      sourceCodeHash: this.asset.assetHash,
      role: this.role.arn,
      memorySize: props.memorySize ?? defaults.memorySize,
      timeout: props.timeoutSeconds ?? defaults.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment } },
      kmsKeyArn: props.environmentKmsKeyArn,
      vpcConfig: props.vpcConfig && { subnetIds: props.vpcConfig.subnetIds, securityGroupIds: props.vpcConfig.securityGroupIds },
      // The log group (with its retention) and the permission to write to it exist before the first run.
      dependsOn: [this.logGroup, logAndTracePolicy],
    });
  }

  private createRole(functionName: string, permissionsBoundary: string | undefined): IamRole {
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ],
    });
    return new IamRole(this, 'role', {
      name: `${functionName}-role`,
      description: `Execution role of the ${functionName} Lambda function`,
      assumeRolePolicy: trust.json,
      permissionsBoundary,
    });
  }

  private grantLogsAndTracing(functionName: string): IamRolePolicy {
    const region = new DataAwsRegion(this, 'region');
    const policy = new DataAwsIamPolicyDocument(this, 'logs-and-tracing', {
      statement: [
        {
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.arn}:*`],
        },
        {
          // X-Ray's write actions take no resource; the condition keeps them to this region.
          sid: 'WriteTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [region.name] }],
        },
      ],
    });
    return new IamRolePolicy(this, 'logs-and-tracing-policy', {
      name: `${functionName}-logs-and-tracing`,
      role: this.role.name,
      policy: policy.json,
    });
  }
}

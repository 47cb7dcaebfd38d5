import {
  COGNITO_DOMAIN_PREFIX_MAX_LENGTH,
  ConfigError,
  DATA_API_REQUESTS_PER_SECOND,
  POSTGRES_REQUESTS_PER_SECOND_PER_ENVIRONMENT,
  PROJECT_NAME_MAX_LENGTH,
  REDSHIFT_SERVERLESS_REGIONS,
  loadConfig,
  subnetCidrs,
} from '../stacks/config';

describe('loadConfig defaults', () => {
  test('an empty environment gives a working dev deployment', () => {
    expect(loadConfig({})).toMatchObject({
      region: 'us-east-1',
      projectName: 'loan-remediation',
      environment: 'dev',
      stateBucket: undefined,
      vpcCidr: '10.80.0.0/20',
      availabilityZoneIds: ['use1-az2', 'use1-az4', 'use1-az6'],
      enableNatGateway: false,
      logRetentionDays: 365,
      namePrefix: 'loan-remediation-dev',
    });
  });

  test('the rate limit defaults to 500 requests per 5 minutes per IP and reads both settings', () => {
    expect(loadConfig({}).rateLimit).toEqual({ limit: 500, windowSeconds: 300 });
    expect(loadConfig({ RATE_LIMIT: '2000000000', RATE_LIMIT_WINDOW_SECONDS: '60' }).rateLimit).toEqual({
      limit: 2_000_000_000,
      windowSeconds: 60,
    });
    expect(loadConfig({ RATE_LIMIT: '10' }).rateLimit.limit).toBe(10);
  });

  test('availability zone IDs follow the region', () => {
    expect(loadConfig({ AWS_REGION: 'eu-west-2' }).availabilityZoneIds).toEqual(['euw2-az1', 'euw2-az2', 'euw2-az3']);
    expect(loadConfig({ AWS_REGION: 'ap-northeast-1' }).availabilityZoneIds).toEqual(['apne1-az1', 'apne1-az2', 'apne1-az4']);
  });

  test('every region with a default has three distinct AZ IDs of that region', () => {
    for (const [region, { azIdPrefix, defaultAzIds }] of Object.entries(REDSHIFT_SERVERLESS_REGIONS)) {
      if (defaultAzIds === undefined) continue;
      expect(new Set(defaultAzIds).size).toBe(3);
      expect(defaultAzIds.every((id) => id.startsWith(`${azIdPrefix}-az`))).toBe(true);
      expect(loadConfig({ AWS_REGION: region }).availabilityZoneIds).toEqual(defaultAzIds);
    }
  });

  test('explicit AZ IDs are read for a region without a default', () => {
    expect(loadConfig({ AWS_REGION: 'us-west-1', AVAILABILITY_ZONE_IDS: 'usw1-az1, usw1-az3, usw1-az2' }).availabilityZoneIds).toEqual([
      'usw1-az1',
      'usw1-az3',
      'usw1-az2',
    ]);
  });

  test('the WAF opt-in rules are off, logs keep blocked and counted requests, the alarm fires at 100 blocks', () => {
    expect(loadConfig({}).waf).toEqual({
      allowedCountries: [],
      hostingProviderAllowList: [],
      botControl: false,
      logScope: 'blocked-and-counted',
      blockedRequestsAlarmThreshold: 100,
    });
    expect(
      loadConfig({ WAF_ALLOWED_COUNTRIES: 'DE, FR,GB', WAF_BOT_CONTROL: 'true', WAF_LOG_SCOPE: 'all', WAF_BLOCKED_ALARM_THRESHOLD: '5' }).waf,
    ).toEqual({ allowedCountries: ['DE', 'FR', 'GB'], hostingProviderAllowList: [], botControl: true, logScope: 'all', blockedRequestsAlarmThreshold: 5 });
  });

  test.each(['10.0.0.0/16', '10.80.0.0/20', '192.168.7.0/24', '172.31.128.0/20', '10.255.0.0/16'])('VPC_CIDR %s, inside /16../24, is accepted', (cidr) => {
    expect(loadConfig({ VPC_CIDR: cidr }).vpcCidr).toBe(cidr);
  });

  test('values are read and trimmed', () => {
    const config = loadConfig({
      AWS_REGION: 'eu-central-1',
      PROJECT_NAME: 'loans',
      ENVIRONMENT: 'prod',
      STATE_BUCKET: 'my-state-bucket',
      STATE_KMS_KEY_ARN: 'arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      VPC_CIDR: ' 10.0.0.0/16 ',
      AVAILABILITY_ZONE_IDS: 'euc1-az3, euc1-az1, euc1-az2',
      ENABLE_NAT_GATEWAY: 'true',
      LOG_RETENTION_DAYS: '30',
    });
    expect(config).toMatchObject({
      region: 'eu-central-1',
      availabilityZoneIds: ['euc1-az3', 'euc1-az1', 'euc1-az2'],
      namePrefix: 'loans-prod',
      stateBucket: 'my-state-bucket',
      vpcCidr: '10.0.0.0/16',
      enableNatGateway: true,
      logRetentionDays: 30,
    });
  });
});

describe('bad configuration fails with one line naming the variable, the value and what is allowed', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['prefix out of range', { VPC_CIDR: '10.0.0.0/33' }, /^VPC_CIDR="10.0.0.0\/33" is invalid: expected an IPv4 network .* \/16 to \/24/],
    ['prefix too small for three subnets', { VPC_CIDR: '10.0.0.0/27' }, /^VPC_CIDR="10.0.0.0\/27"/],
    ['prefix one wider than allowed', { VPC_CIDR: '10.0.0.0/15' }, /^VPC_CIDR="10.0.0.0\/15" is invalid: .* \/16 to \/24/],
    ['text before the address', { VPC_CIDR: 'x10.0.0.0/16' }, /^VPC_CIDR="x10.0.0.0\/16" is invalid: expected an IPv4 network/],
    ['text after the prefix', { VPC_CIDR: '10.0.0.0/16x' }, /^VPC_CIDR="10.0.0.0\/16x" is invalid: expected an IPv4 network/],
    ['host bits in the last octet', { VPC_CIDR: '10.80.1.10/24' }, /^VPC_CIDR="10.80.1.10\/24" .*host bits must be zero/],
    ['a whole /8', { VPC_CIDR: '10.0.0.0/8' }, /^VPC_CIDR="10.0.0.0\/8" is invalid: .* \/16 to \/24/],
    ['prefix one narrower than allowed', { VPC_CIDR: '10.0.0.0/25' }, /^VPC_CIDR="10.0.0.0\/25" is invalid: .* \/16 to \/24/],
    ['host bits set', { VPC_CIDR: '10.80.1.0/20' }, /^VPC_CIDR="10.80.1.0\/20" .*host bits must be zero/],
    ['octet above 255', { VPC_CIDR: '10.300.0.0/16' }, /^VPC_CIDR="10.300.0.0\/16"/],
    ['not a CIDR', { VPC_CIDR: 'ten-dot-eighty' }, /^VPC_CIDR="ten-dot-eighty"/],
    ['unknown environment', { ENVIRONMENT: 'qa' }, /^ENVIRONMENT="qa" is invalid: expected one of dev, staging, prod$/],
    ['malformed region', { AWS_REGION: 'mars' }, /^AWS_REGION="mars" is invalid: expected a region where Redshift Serverless is offered: us-east-1, /],
    ['region that does not exist', { AWS_REGION: 'us-east-7' }, /^AWS_REGION="us-east-7" is invalid: expected a region where Redshift Serverless/],
    [
      'region without default AZ IDs',
      { AWS_REGION: 'us-west-1' },
      /^AVAILABILITY_ZONE_IDS="" is invalid: expected three AZ IDs of us-west-1 that Redshift Serverless supports \(us-west-1 has no default; see "Considerations when using Amazon Redshift Serverless"\), e\.g\. usw1-az1,usw1-az2,usw1-az3$/,
    ],
    [
      'AZ IDs of a region without defaults, one repeated',
      { AWS_REGION: 'us-west-1', AVAILABILITY_ZONE_IDS: 'usw1-az1,usw1-az1,usw1-az3' },
      /^AVAILABILITY_ZONE_IDS="usw1-az1,usw1-az1,usw1-az3" is invalid: expected three distinct comma-separated AZ IDs of us-west-1, e\.g\. usw1-az1,usw1-az2,usw1-az3$/,
    ],
    ['four AZ IDs, three of them distinct', { AVAILABILITY_ZONE_IDS: 'use1-az2,use1-az4,use1-az6,use1-az6' }, /^AVAILABILITY_ZONE_IDS="use1-az2,use1-az4,use1-az6,use1-az6" is invalid/],
    ['uppercase project name', { PROJECT_NAME: 'Loans' }, /^PROJECT_NAME="Loans" is invalid: expected 3-20 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen$/],
    ['project name one character too long', { PROJECT_NAME: 'a'.repeat(21) }, /^PROJECT_NAME="a{21}" is invalid: expected 3-20 characters/],
    ['project name starting with aws', { PROJECT_NAME: 'aws-loans' }, /^PROJECT_NAME="aws-loans" is invalid: expected a name without "aws", "amazon", "cognito" anywhere in it \(it has "aws"\): Cognito refuses such a domain prefix$/],
    ['aws inside a word of the project name', { PROJECT_NAME: 'laws-x' }, /^PROJECT_NAME="laws-x" is invalid: .*\(it has "aws"\)/],
    ['amazon in the project name', { PROJECT_NAME: 'myamazonloans' }, /^PROJECT_NAME="myamazonloans" is invalid: .*\(it has "amazon"\)/],
    ['cognito in the project name', { PROJECT_NAME: 'loans-cognito' }, /^PROJECT_NAME="loans-cognito" is invalid: .*\(it has "cognito"\)/],
    ['state bucket without the state key', { STATE_BUCKET: 'my-state-bucket' }, /^STATE_KMS_KEY_ARN="" is invalid: expected the state key's ARN whenever STATE_BUCKET is set \(the state stack's state_kms_key_arn output\)$/],
    ['deletion protection flag not a boolean', { COGNITO_DELETION_PROTECTION: 'off' }, /^COGNITO_DELETION_PROTECTION="off" is invalid: expected one of true, false$/],
    ['state bucket with uppercase letters', { STATE_BUCKET: 'My_Bucket' }, /^STATE_BUCKET="My_Bucket" is invalid: expected an S3 bucket name/],
    ['state bucket shaped like an IP address', { STATE_BUCKET: '192.168.1.1' }, /^STATE_BUCKET="192.168.1.1"/],
    ['admin user name starting with an underscore', { REDSHIFT_ADMIN_USERNAME: '_admin' }, /^REDSHIFT_ADMIN_USERNAME="_admin" is invalid: expected a SQL identifier that starts with a letter$/],
    ['state key given as an alias', { STATE_KMS_KEY_ARN: 'alias/tfstate' }, /^STATE_KMS_KEY_ARN="alias\/tfstate" is invalid: expected a KMS key ARN/],
    ['two AZ IDs', { AVAILABILITY_ZONE_IDS: 'use1-az2,use1-az4' }, /^AVAILABILITY_ZONE_IDS=.* three distinct comma-separated AZ IDs of us-east-1, e.g. use1-az2,use1-az4,use1-az6$/],
    ['AZ ID of another region', { AVAILABILITY_ZONE_IDS: 'use1-az2,use1-az4,euw1-az1' }, /^AVAILABILITY_ZONE_IDS=/],
    ['repeated AZ ID', { AVAILABILITY_ZONE_IDS: 'use1-az2,use1-az2,use1-az4' }, /^AVAILABILITY_ZONE_IDS=/],
    ['zone names instead of IDs', { AVAILABILITY_ZONE_IDS: 'us-east-1a,us-east-1b,us-east-1c' }, /^AVAILABILITY_ZONE_IDS="us-east-1a/],
    ['rate limit below what WAF allows', { RATE_LIMIT: '9' }, /^RATE_LIMIT="9" is invalid: expected requests per window per IP address, from 10 to 2000000000$/],
    ['rate limit not a whole number', { RATE_LIMIT: '1e3' }, /^RATE_LIMIT="1e3" is invalid/],
    ['rate-limit window WAF does not offer', { RATE_LIMIT_WINDOW_SECONDS: '30' }, /^RATE_LIMIT_WINDOW_SECONDS="30" is invalid: expected one of 60, 120, 300, 600$/],
    ['country code in lowercase', { WAF_ALLOWED_COUNTRIES: 'de' }, /^WAF_ALLOWED_COUNTRIES="de" is invalid: expected unset, or distinct comma-separated ISO 3166 alpha-2 country codes in uppercase, e.g. DE,FR,GB$/],
    ['country code that is not assigned', { WAF_ALLOWED_COUNTRIES: 'DE,QQ' }, /^WAF_ALLOWED_COUNTRIES="DE,QQ" is invalid/],
    ['alpha-3 country code', { WAF_ALLOWED_COUNTRIES: 'DEU' }, /^WAF_ALLOWED_COUNTRIES="DEU" is invalid/],
    ['reserved code UK instead of GB', { WAF_ALLOWED_COUNTRIES: 'UK' }, /^WAF_ALLOWED_COUNTRIES="UK" is invalid: .*\(UK is reserved, not a country: use GB\)$/],
    ['repeated country code', { WAF_ALLOWED_COUNTRIES: 'DE,DE' }, /^WAF_ALLOWED_COUNTRIES="DE,DE" is invalid/],
    ['empty entry in the country list', { WAF_ALLOWED_COUNTRIES: 'DE,,FR' }, /^WAF_ALLOWED_COUNTRIES="DE,,FR" is invalid/],
    ['Bot Control flag not a boolean', { WAF_BOT_CONTROL: 'on' }, /^WAF_BOT_CONTROL="on" is invalid: expected one of true, false$/],
    ['unknown WAF log scope', { WAF_LOG_SCOPE: 'blocked' }, /^WAF_LOG_SCOPE="blocked" is invalid: expected one of blocked-and-counted, all$/],
    ['alarm threshold of zero', { WAF_BLOCKED_ALARM_THRESHOLD: '0' }, /^WAF_BLOCKED_ALARM_THRESHOLD="0" is invalid: expected blocked requests per 5 minutes, from 1 to 1000000000$/],
    ['NAT flag not a boolean', { ENABLE_NAT_GATEWAY: 'yes' }, /^ENABLE_NAT_GATEWAY="yes" is invalid: expected one of true, false$/],
    ['retention CloudWatch does not offer', { LOG_RETENTION_DAYS: '10' }, /^LOG_RETENTION_DAYS="10" is invalid: expected one of 1, 3, 5/],
  ];

  test.each(cases)('%s', (_name, env, message) => {
    const load = () => loadConfig(env);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(expect.objectContaining({ name: 'ConfigError' }));
    expect(load).toThrow(message);
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      // The variable the message names: the settings loader finds its line in the file with it.
      expect((error as ConfigError).variable).toBe((error as Error).message.split('=')[0]);
    }
  });

  test('an error that is not about one value (a settings file line) is its message as given, naming no variable', () => {
    const error = new ConfigError('settings/dev.env:3: RATE_LIMIT is already set on line 1');
    expect(error).toMatchObject({ name: 'ConfigError', message: 'settings/dev.env:3: RATE_LIMIT is already set on line 1', variable: undefined });
  });
});

describe('subnetCidrs', () => {
  test('splits the VPC into three private blocks and one reserved public block', () => {
    expect(subnetCidrs('10.80.0.0/20')).toEqual({
      private: ['10.80.0.0/22', '10.80.4.0/22', '10.80.8.0/22'],
      public: '10.80.12.0/22',
    });
  });

  test('works across octet boundaries', () => {
    expect(subnetCidrs('172.16.0.0/16')).toEqual({
      private: ['172.16.0.0/18', '172.16.64.0/18', '172.16.128.0/18'],
      public: '172.16.192.0/18',
    });
  });
});

describe('every number setting: its default, both ends of its range, and one step past each', () => {
  type Config = ReturnType<typeof loadConfig>;
  test.each<[string, (c: Config) => number | undefined, number | undefined, number, number, string]>([
    ['REDSHIFT_DAILY_RPU_HOURS', (c) => c.warehouse.usageLimits[0].rpuHours, 24, 1, 10_000, 'RPU-hours from 1 to 10000'],
    ['REDSHIFT_USAGE_ALARM_PERCENT', (c) => c.warehouse.usageAlarmPercent, 80, 1, 99, 'percent from 1 to 99'],
    ['MODEL_MAX_RUNTIME_SECONDS', (c) => c.warehouse.modelMaxRuntimeSeconds, 5400, 1800, 86_400, 'seconds from 1800 (30 minutes) to 86400 (24 hours)'],
    ['QUERY_TIMEOUT_SECONDS', (c) => c.warehouse.queryTimeoutSeconds, 3600, 60, 86_399, 'seconds from 60 to 86399'],
    ['RATE_LIMIT', (c) => c.rateLimit.limit, 500, 10, 2_000_000_000, 'requests per window per IP address, from 10 to 2000000000'],
    ['DATA_API_SHARE_PERCENT', (c) => c.api.dataApiSharePercent, 40, 1, 100, 'percent from 1 to 100'],
    ['API_THROTTLE_BURST', (c) => c.api.throttleBurstLimit, 8, 1, 5000, 'requests from 1 to 5000'],
    ['LAMBDA_MEMORY_MB', (c) => c.api.lambdaMemoryMb, 256, 128, 10_240, 'MB from 128 to 10240'],
    ['LAMBDA_TIMEOUT_SECONDS', (c) => c.api.lambdaTimeoutSeconds, 28, 5, 28, 'seconds from 5 to 28 (API Gateway gives up at 29 s)'],
    ['LAMBDA_RESERVED_CONCURRENCY', (c) => c.api.lambdaReservedConcurrency, undefined, 1, 1000, 'unset (no reservation), or from 1 to 1000'],
    ['WAF_BLOCKED_ALARM_THRESHOLD', (c) => c.waf.blockedRequestsAlarmThreshold, 100, 1, 1_000_000_000, 'blocked requests per 5 minutes, from 1 to 1000000000'],
  ])('%s', (variable, value, fallback, min, max, allowed) => {
    expect(value(loadConfig({}))).toBe(fallback);
    expect(value(loadConfig({ [variable]: String(min) }))).toBe(min);
    expect(value(loadConfig({ [variable]: ` ${max} ` }))).toBe(max);
    for (const outside of [min - 1, max + 1]) {
      expect(() => loadConfig({ [variable]: String(outside) })).toThrow(
        new ConfigError(variable, String(outside), allowed),
      );
    }
    expect(value(loadConfig({ [variable]: '  ' }))).toBe(fallback);
  });

  test("the stage's rate is the share of the Data API's 20 single predictions per second, at least 1; the burst defaults to the rate", () => {
    expect(DATA_API_REQUESTS_PER_SECOND).toBe(20);
    const api = (share: string) => loadConfig({ DATA_API_SHARE_PERCENT: share }).api;
    expect(api('100')).toMatchObject({ throttleRateLimit: 20, throttleBurstLimit: 20 });
    expect(api('40')).toMatchObject({ throttleRateLimit: 8, throttleBurstLimit: 8 });
    expect(api('33')).toMatchObject({ throttleRateLimit: 6, throttleBurstLimit: 6 });
    expect(api('1')).toMatchObject({ throttleRateLimit: 1, throttleBurstLimit: 1 });
    expect(loadConfig({ DATA_API_SHARE_PERCENT: '50', API_THROTTLE_BURST: '25' }).api).toMatchObject({
      throttleRateLimit: 10,
      throttleBurstLimit: 25,
    });
  });

  test('with postgres the stage throttle follows the reservation: bursts of it and one request per second per environment; no Data API share', () => {
    const postgres = (env: Record<string, string> = {}) => loadConfig({ WAREHOUSE_TRANSPORT: 'postgres', ...env }).api;
    expect(POSTGRES_REQUESTS_PER_SECOND_PER_ENVIRONMENT).toBe(1);
    expect(postgres()).toMatchObject({
      lambdaReservedConcurrency: 10,
      throttleRateLimit: 10,
      throttleBurstLimit: 10,
      throttleRateSetting: 'LAMBDA_RESERVED_CONCURRENCY',
      dataApiSharePercent: undefined,
    });
    expect(postgres({ LAMBDA_RESERVED_CONCURRENCY: '500' })).toMatchObject({ throttleRateLimit: 500, throttleBurstLimit: 500 });
    // A rate set outright (a measured faster path) keeps the burst within the reservation.
    expect(postgres({ API_THROTTLE_RATE: '200' })).toMatchObject({ throttleRateLimit: 200, throttleBurstLimit: 10, throttleRateSetting: 'API_THROTTLE_RATE' });
    expect(postgres({ API_THROTTLE_RATE: '4' })).toMatchObject({ throttleRateLimit: 4, throttleBurstLimit: 4 });
    expect(postgres({ API_THROTTLE_BURST: '50' })).toMatchObject({ throttleRateLimit: 10, throttleBurstLimit: 50 });
    expect(() => postgres({ API_THROTTLE_RATE: '0' })).toThrow(
      new ConfigError(
        'API_THROTTLE_RATE',
        '0',
        'unset (10 with WAREHOUSE_TRANSPORT=postgres: LAMBDA_RESERVED_CONCURRENCY per second), or requests per second from 1 to 10000',
      ),
    );
    expect(() => postgres({ DATA_API_SHARE_PERCENT: '40' })).toThrow(
      new ConfigError(
        'DATA_API_SHARE_PERCENT',
        '40',
        'unset with WAREHOUSE_TRANSPORT=postgres: the direct connection calls no Data API (its stage rate follows LAMBDA_RESERVED_CONCURRENCY)',
      ),
    );
    expect(loadConfig({}).api).toMatchObject({ dataApiSharePercent: 40, throttleRateSetting: 'DATA_API_SHARE_PERCENT' });
    expect(loadConfig({ API_THROTTLE_RATE: '3' }).api.throttleRateSetting).toBe('API_THROTTLE_RATE');
  });

  test('API_THROTTLE_RATE sets the stage rate outright, and the burst follows it; the error names the share it replaces', () => {
    expect(loadConfig({ API_THROTTLE_RATE: '10000' }).api).toMatchObject({ throttleRateLimit: 10_000, throttleBurstLimit: 5000 });
    expect(loadConfig({ API_THROTTLE_RATE: '3', DATA_API_SHARE_PERCENT: '100' }).api).toMatchObject({ throttleRateLimit: 3, throttleBurstLimit: 3 });
    for (const bad of ['0', '10001', '1.5']) {
      expect(() => loadConfig({ API_THROTTLE_RATE: bad })).toThrow(
        new ConfigError('API_THROTTLE_RATE', bad, "unset (40 % of the Data API's 20/s: 8), or requests per second from 1 to 10000"),
      );
    }
  });

  test('base capacity: 4, or 8 to 512 in steps of 8; max capacity: a multiple of 8 from the base to 5632', () => {
    const base = (value: string) => loadConfig({ REDSHIFT_BASE_CAPACITY: value }).warehouse.baseCapacity;
    expect(['4', '8', '512'].map(base)).toEqual([4, 8, 512]);
    for (const bad of ['0', '7', '12', '520']) {
      expect(() => base(bad)).toThrow(new ConfigError('REDSHIFT_BASE_CAPACITY', bad, 'RPUs: 4, or 8 to 512 in steps of 8'));
    }
    const max = (value: string) => loadConfig({ REDSHIFT_BASE_CAPACITY: '16', REDSHIFT_MAX_CAPACITY: value }).warehouse.maxCapacity;
    expect(loadConfig({}).warehouse.maxCapacity).toBeUndefined();
    expect(['16', '5632'].map(max)).toEqual([16, 5632]);
    for (const bad of ['8', '20', '5640']) {
      expect(() => max(bad)).toThrow(
        new ConfigError('REDSHIFT_MAX_CAPACITY', bad, 'unset, or RPUs: a multiple of 8 from the base capacity (16) to 5632'),
      );
    }
  });
});

describe('the API settings that are not numbers', () => {
  test('the longest project name leaves every derived name within its limit: the Cognito prefix, bucket prefixes', () => {
    expect(PROJECT_NAME_MAX_LENGTH).toBe(20);
    const config = loadConfig({ PROJECT_NAME: `l${'0'.repeat(PROJECT_NAME_MAX_LENGTH - 1)}`, ENVIRONMENT: 'staging' });
    expect(`${config.namePrefix}-123456789012`.length).toBeLessThanOrEqual(COGNITO_DOMAIN_PREFIX_MAX_LENGTH);
    expect(`${config.namePrefix}-tfstate-`.length).toBe(37);
  });

  test('deletion protection is on in prod only, and can be turned off there to tear it down', () => {
    expect(loadConfig({}).api.cognitoDeletionProtection).toBe(false);
    expect(loadConfig({ ENVIRONMENT: 'prod' }).api.cognitoDeletionProtection).toBe(true);
    expect(loadConfig({ ENVIRONMENT: 'prod', COGNITO_DELETION_PROTECTION: 'false' }).api.cognitoDeletionProtection).toBe(false);
  });

  test('flags default to off and read true', () => {
    expect(loadConfig({}).api).toMatchObject({ lambdaInVpc: false, alarmEmail: undefined });
    expect(loadConfig({ LAMBDA_IN_VPC: 'true' }).api).toMatchObject({ lambdaInVpc: true });
  });

  test('WAREHOUSE_TRANSPORT: the Data API by default; postgres puts the Lambda in the VPC and caps its concurrency at 500', () => {
    expect(loadConfig({}).api.warehouseTransport).toBe('data-api');
    expect(loadConfig({ WAREHOUSE_TRANSPORT: 'postgres' }).api).toMatchObject({ warehouseTransport: 'postgres', lambdaInVpc: true, lambdaReservedConcurrency: 10 });
    expect(loadConfig({ WAREHOUSE_TRANSPORT: 'postgres', LAMBDA_IN_VPC: 'true', LAMBDA_RESERVED_CONCURRENCY: '500' }).api.lambdaReservedConcurrency).toBe(500);
    expect(() => loadConfig({ WAREHOUSE_TRANSPORT: 'jdbc' })).toThrow(new ConfigError('WAREHOUSE_TRANSPORT', 'jdbc', 'one of data-api, postgres'));
    expect(() => loadConfig({ WAREHOUSE_TRANSPORT: 'postgres', LAMBDA_IN_VPC: 'false' })).toThrow(
      new ConfigError('LAMBDA_IN_VPC', 'false', 'true (or unset) with WAREHOUSE_TRANSPORT=postgres: the direct connection runs inside the VPC'),
    );
    expect(() => loadConfig({ WAREHOUSE_TRANSPORT: 'postgres', LAMBDA_RESERVED_CONCURRENCY: '501' })).toThrow(
      new ConfigError(
        'LAMBDA_RESERVED_CONCURRENCY',
        '501',
        "from 1 to 500 with WAREHOUSE_TRANSPORT=postgres (a connection per execution environment and one more while it cancels a statement: at most 1000 of the workgroup's 2000)",
      ),
    );
    expect(loadConfig({ LAMBDA_RESERVED_CONCURRENCY: '501' }).api.lambdaReservedConcurrency).toBe(501);
  });

  test('callback URLs: trimmed, every one https:// (http:// only for localhost), at most 100', () => {
    expect(loadConfig({}).api.callbackUrls).toEqual(['http://localhost:8080/callback']);
    expect(loadConfig({ COGNITO_CALLBACK_URLS: 'https://a.example.com/cb , http://localhost/cb' }).api.callbackUrls).toEqual([
      'https://a.example.com/cb',
      'http://localhost/cb',
    ]);
    const allowed = 'comma-separated https:// URLs (http:// only for localhost), at most 100';
    for (const bad of ['https://a.example.com,http://b.example.com', Array(101).fill('https://a.example.com').join(',')]) {
      expect(() => loadConfig({ COGNITO_CALLBACK_URLS: bad })).toThrow(new ConfigError('COGNITO_CALLBACK_URLS', bad, allowed));
    }
    expect(loadConfig({ COGNITO_CALLBACK_URLS: Array(100).fill('https://a.example.com').join(',') }).api.callbackUrls).toHaveLength(100);
  });

  test('the alarm e-mail: unset, or one address', () => {
    expect(loadConfig({ ALARM_EMAIL: 'ops@bank.example' }).api.alarmEmail).toBe('ops@bank.example');
    expect(() => loadConfig({ ALARM_EMAIL: 'ops@bank' })).toThrow(new ConfigError('ALARM_EMAIL', 'ops@bank', 'unset, or one e-mail address'));
  });

  test('country codes the region names do not know are refused', () => {
    for (const unknown of ['AA', 'ZZ']) {
      expect(() => loadConfig({ WAF_ALLOWED_COUNTRIES: unknown })).toThrow(/^WAF_ALLOWED_COUNTRIES=".." is invalid/);
    }
  });
});

describe('the account stack settings', () => {
  test('defaults: no repository yet, no existing provider, the one environment of ENVIRONMENT, the API Gateway role managed', () => {
    expect(loadConfig({}).account).toEqual({
      ciRepository: undefined,
      ciOidcProviderArn: undefined,
      environments: ['dev'],
      manageApiGatewayAccountRole: true,
    });
    expect(loadConfig({ ENVIRONMENT: 'prod' }).account.environments).toEqual(['prod']);
  });

  test('set: read as given, environments in the order listed', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    expect(
      loadConfig({
        CI_REPOSITORY: 'octo-org/loan.remediation_2',
        CI_OIDC_PROVIDER_ARN: arn,
        ACCOUNT_ENVIRONMENTS: 'prod, staging',
        API_GATEWAY_ACCOUNT_LOGGING_ROLE: 'false',
      }).account,
    ).toEqual({ ciRepository: 'octo-org/loan.remediation_2', ciOidcProviderArn: arn, environments: ['prod', 'staging'], manageApiGatewayAccountRole: false });
  });

  test.each([
    ['CI_REPOSITORY', 'loan-remediation', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    ['CI_REPOSITORY', 'octo-org/*', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    ['CI_REPOSITORY', '-octo/repo', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    ['CI_REPOSITORY', 'octo--org/repo', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    ['CI_REPOSITORY', 'octo/..', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    ['CI_REPOSITORY', 'octo/repo:pull_request', 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation'],
    [
      'CI_OIDC_PROVIDER_ARN',
      'arn:aws:iam::123456789012:oidc-provider/gitlab.com',
      "unset, or the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
    ],
    ['ACCOUNT_ENVIRONMENTS', 'dev,dev', 'distinct comma-separated environments of dev, staging, prod'],
    ['ACCOUNT_ENVIRONMENTS', 'dev,qa', 'distinct comma-separated environments of dev, staging, prod'],
    ['API_GATEWAY_ACCOUNT_LOGGING_ROLE', '1', 'one of true, false'],
  ])('%s=%s fails with one line saying what is allowed', (variable, value, allowed) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new ConfigError(variable, value, allowed));
  });
});

import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Wafv2IpSet } from '@cdktf/provider-aws/lib/wafv2-ip-set';
import { Wafv2WebAcl, Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { isIPv4 } from 'net';
import { answerHeaders, WAF_RATE_LIMITED, WAF_RATE_LIMITED_BODY } from '../lambda-src/api-contract';
import { Config } from './config';
import { cloudWatchLogsMayEncrypt, CustomerManagedKey } from './constructs/customer-managed-key';
import { ProjectStack } from './project-stack';

/** What the WAF protects and where it reports: values of the `api` stack, read through remote state. */
export interface WafTarget {
  /** The API Gateway stage the web ACL is associated with. */
  readonly stageArn: string;
  /** The SNS topic the blocked-requests alarm notifies. */
  readonly alarmTopicArn: string;
}

/**
 * Rule names and priorities. Priorities are fixed, so turning an opt-in rule on or off never
 * renumbers the others. Cheap IP-list rules run first; the rate limit runs before the body
 * inspections, so a flooding client is answered 429 without them; Bot Control, billed per request it
 * inspects, runs last, so requests another rule already blocked cost it nothing. Nothing is ever
 * allowed early: an Allow rule would skip the rate limit and the body inspections after it.
 */
export const WAF_RULES = {
  allowedCountries: { name: 'allowed-countries', priority: 0 },
  ipReputation: { name: 'aws-ip-reputation', priority: 10, group: 'AWSManagedRulesAmazonIpReputationList' },
  anonymousIp: { name: 'aws-anonymous-ip', priority: 20, group: 'AWSManagedRulesAnonymousIpList' },
  hostingProviders: { name: 'hosting-provider-not-allowed', priority: 25 },
  rateLimit: { name: 'per-ip-rate-limit', priority: 30 },
  common: { name: 'aws-common', priority: 40, group: 'AWSManagedRulesCommonRuleSet' },
  knownBadInputs: { name: 'aws-known-bad-inputs', priority: 50, group: 'AWSManagedRulesKnownBadInputsRuleSet' },
  sqlInjection: { name: 'aws-sql-injection', priority: 60, group: 'AWSManagedRulesSQLiRuleSet' },
  botControl: { name: 'aws-bot-control', priority: 70, group: 'AWSManagedRulesBotControlRuleSet' },
} as const;

/**
 * Bodies larger than this are blocked by the Common rule set's SizeRestrictions_BODY rule ("Baseline
 * rule groups", AWS WAF Developer Guide); a test keeps it equal to the Lambda's MAX_BODY_BYTES.
 */
export const COMMON_RULE_SET_MAX_BODY_BYTES = 8192;

/**
 * The Anonymous IP list's rule for addresses of hosting and cloud providers, and the label it adds
 * ("IP reputation rule groups", AWS WAF Developer Guide). Machine clients (client credentials) run
 * there, so the rule only counts and labels; `hosting-provider-not-allowed` blocks on the label unless
 * the source is in WAF_HOSTING_PROVIDER_ALLOW_LIST ("How do I allow a legitimate IP address when using
 * the IP reputation list or anonymous IP list in AWS WAF?", AWS Knowledge Center, option 2: labels).
 */
export const HOSTING_PROVIDER_RULE = 'HostingProviderIPList';
export const HOSTING_PROVIDER_LABEL = 'awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList';

/** Bot Control rules that would block every program calling the API; they only count and label. */
export const BOT_CONTROL_COUNT_ONLY = ['SignalNonBrowserUserAgent', 'CategoryHttpLibrary'];

/** The key of the 429 body among the web ACL's custom response bodies. */
export const RATE_LIMITED_BODY_KEY = 'rate-limited';

/** The header AWS WAF logs would otherwise carry in clear: every request's bearer token. */
export const REDACTED_HEADER = 'authorization';

/** Alarm period: AWS WAF reports metrics once a minute; five minutes smooths single bursts. */
export const BLOCKED_ALARM_PERIOD_SECONDS = 300;

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * An AWS managed rule group that blocks what its rules match (`override_action { none {} }`; `count`
 * would only observe). Statements are untyped in the provider binding, so they are written in the
 * provider's snake_case block names.
 */
function managedGroup(rule: { name: string; priority: number; group: string }, config: Record<string, unknown> = {}): Wafv2WebAclRule {
  return {
    name: rule.name,
    priority: rule.priority,
    overrideAction: { none: {} },
    statement: { managed_rule_group_statement: { vendor_name: 'AWS', name: rule.group, ...config } },
    visibilityConfig: visibility(rule.name),
  };
}

/**
 * The web application firewall in front of the prediction API: a REGIONAL web ACL associated with
 * the `api` stack's stage, five AWS managed rule groups, hosting providers blocked unless allow-listed,
 * a per-IP rate limit that answers 429 as the API contract says, opt-in country allow-list and Bot
 * Control, logs without bearer tokens in an encrypted log group, and an alarm on a spike of blocked
 * requests.
 */
export class WafStack extends ProjectStack {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, target: WafTarget, config: Config) {
    super(scope, 'waf', config);
    const name = config.namePrefix;
    const { limit, windowSeconds } = config.rateLimit;
    const { partition, accountId, rootArn } = this.account;

    const rules: Wafv2WebAclRule[] = [];
    if (config.waf.allowedCountries.length > 0) {
      // Blocks (403) every request whose source IP geolocates outside the list.
      rules.push({
        name: WAF_RULES.allowedCountries.name,
        priority: WAF_RULES.allowedCountries.priority,
        action: { block: {} },
        statement: {
          not_statement: { statement: [{ geo_match_statement: { country_codes: [...config.waf.allowedCountries] } }] },
        },
        visibilityConfig: visibility(WAF_RULES.allowedCountries.name),
      });
    }
    rules.push(
      managedGroup(WAF_RULES.ipReputation),
      managedGroup(WAF_RULES.anonymousIp, {
        rule_action_override: [{ name: HOSTING_PROVIDER_RULE, action_to_use: { count: {} } }],
      }),
    );
    // One IP set per address version in the allow-list (an IP set holds one version). Statements nest
    // three levels in provider 5.100's schema: and(label, not(set v4), not(set v6)) fits.
    const allowed = config.waf.hostingProviderAllowList;
    const allowSets = (['IPV4', 'IPV6'] as const).flatMap((version) => {
      const addresses = allowed.filter((cidr) => isIPv4(cidr.split('/')[0]) === (version === 'IPV4'));
      if (addresses.length === 0) return [];
      return [
        new Wafv2IpSet(this, `hosting-provider-allow-list-${version.toLowerCase()}`, {
          name: `${name}-hosting-provider-allow-${version.toLowerCase()}`,
          description: 'Hosting-provider networks of machine clients that the HostingProviderIPList label must not block, from WAF_HOSTING_PROVIDER_ALLOW_LIST',
          scope: 'REGIONAL',
          ipAddressVersion: version,
          addresses,
        }),
      ];
    });
    const labelled = { label_match_statement: { scope: 'LABEL', key: HOSTING_PROVIDER_LABEL } };
    rules.push({
      name: WAF_RULES.hostingProviders.name,
      priority: WAF_RULES.hostingProviders.priority,
      action: { block: {} },
      statement:
        allowSets.length === 0
          ? labelled
          : {
              and_statement: {
                statement: [
                  labelled,
                  ...allowSets.map((set) => ({ not_statement: { statement: [{ ip_set_reference_statement: { arn: set.arn } }] } })),
                ],
              },
            },
      visibilityConfig: visibility(WAF_RULES.hostingProviders.name),
    });
    // Rate-based rule: limit from 10 and evaluation window 60/120/300/600 s ("Rate-based rule
    // high-level settings in AWS WAF", AWS WAF Developer Guide); provider 5.100 names the window
    // `evaluation_window_sec`. The answer is a custom response: status, text and headers from the API
    // contract's table, Retry-After = the window. A WAF body is static, so unlike every other answer it
    // cannot carry the request id. Content-Type comes from the body's content_type: custom response
    // headers may be any name except content-type (CustomResponse, AWS WAF API Reference) and are sent
    // as named (the x-amzn-waf- prefix is only for inserted request headers; CustomHTTPHeader). Every
    // other block has no custom response, so API Gateway answers it with its WAF_FILTERED gateway
    // response (403, the request id included).
    rules.push({
      name: WAF_RULES.rateLimit.name,
      priority: WAF_RULES.rateLimit.priority,
      action: {
        block: {
          customResponse: {
            responseCode: WAF_RATE_LIMITED.status,
            customResponseBodyKey: RATE_LIMITED_BODY_KEY,
            responseHeader: Object.entries(answerHeaders(WAF_RATE_LIMITED, undefined, windowSeconds))
              .filter(([header]) => header.toLowerCase() !== 'content-type')
              .map(([header, value]) => ({ name: header, value })),
          },
        },
      },
      statement: { rate_based_statement: { limit, evaluation_window_sec: windowSeconds, aggregate_key_type: 'IP' } },
      visibilityConfig: visibility(WAF_RULES.rateLimit.name),
    });
    // The Common rule set's SizeRestrictions_BODY blocks bodies over COMMON_RULE_SET_MAX_BODY_BYTES,
    // exactly the contract's MAX_BODY_BYTES (lambda-src/api-contract.ts), so the rule keeps its Block
    // action (no rule_action_override): a body the Lambda would refuse with 413 never reaches it, and
    // every body that passes is inspected whole (API Gateway forwards the first 16 KB to WAF, the
    // default association_config, at no extra fee; "Managing body inspection size limits for AWS WAF").
    rules.push(managedGroup(WAF_RULES.common), managedGroup(WAF_RULES.knownBadInputs), managedGroup(WAF_RULES.sqlInjection));
    if (config.waf.botControl) {
      // Common inspection level only (self-identifying bots, static request analysis); the targeted
      // level adds challenges and CAPTCHAs, which an API client cannot answer. This API's callers are
      // programs, so the rules that block non-browser user agents and HTTP libraries only count (they
      // still label): SignalNonBrowserUserAgent blocks by default ("Bot Control example: Creating an
      // exception for a blocked user agent", AWS WAF Developer Guide).
      rules.push(
        managedGroup(WAF_RULES.botControl, {
          managed_rule_group_configs: [{ aws_managed_rules_bot_control_rule_set: { inspection_level: 'COMMON' } }],
          rule_action_override: BOT_CONTROL_COUNT_ONLY.map((rule) => ({ name: rule, action_to_use: { count: {} } })),
        }),
      );
    }

    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      name,
      description: `${name}: managed rules and a per-IP rate limit for the prediction API`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBody: [
        { key: RATE_LIMITED_BODY_KEY, contentType: 'APPLICATION_JSON', content: WAF_RATE_LIMITED_BODY },
      ],
      rule: rules,
      // Sampled requests have no redaction of their own ("VisibilityConfig", AWS WAF API Reference);
      // web ACL data protection replaces the header with REDACTED in every output: sampled requests,
      // logs and rule-match details ("Data protection", AWS WAF Developer Guide).
      dataProtectionConfig: {
        dataProtection: [{ field: { fieldType: 'SINGLE_HEADER', fieldKeys: [REDACTED_HEADER] }, action: 'SUBSTITUTION' }],
      },
      visibilityConfig: visibility(name),
    });

    new Wafv2WebAclAssociation(this, 'stage-association', {
      resourceArn: target.stageArn,
      webAclArn: this.webAcl.arn,
    });

    // AWS WAF accepts only log groups named aws-waf-logs-*. CloudWatch Logs encrypts as itself, so the
    // key lets the logs service use it only for this log group (encryption context condition, as in
    // "Encrypt log data in CloudWatch Logs using AWS KMS").
    const logGroupName = `aws-waf-logs-${name}`;
    const key = new CustomerManagedKey(this, 'key', {
      description: `${name} WAF logs`,
      accountRootArn: rootArn,
      serviceStatements: [
        cloudWatchLogsMayEncrypt(
          'CloudWatchLogsEncryptsWafLogs',
          config.region,
          `arn:${partition}:logs:${config.region}:${accountId}:log-group:${logGroupName}`,
        ),
      ],
    }).key;
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: logGroupName,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: key.arn,
    });

    // WAF delivers through CloudWatch Logs' log delivery, which adds the log group resource policy it
    // needs when the deployer may (logs:CreateLogDelivery, logs:PutResourcePolicy; "Logs sent to
    // CloudWatch Logs", CloudWatch Logs User Guide). The redaction here is the logging-level one the
    // rule pack checks (LR-WAF-007), on top of the web ACL's data protection.
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: REDACTED_HEADER } }],
      loggingFilter:
        config.waf.logScope === 'all'
          ? undefined
          : {
              defaultBehavior: 'DROP',
              filter: [
                {
                  behavior: 'KEEP',
                  requirement: 'MEETS_ANY',
                  condition: [{ actionCondition: { action: 'BLOCK' } }, { actionCondition: { action: 'COUNT' } }],
                },
              ],
            },
    });

    // BlockedRequests with Rule=ALL sums every rule's blocks ("AWS WAF metrics and dimensions").
    new CloudwatchMetricAlarm(this, 'blocked-requests-alarm', {
      alarmName: `${name}-waf-blocked-requests`,
      alarmDescription:
        `${config.waf.blockedRequestsAlarmThreshold} or more requests blocked by the WAF in 5 minutes: an attack, ` +
        `or a rule blocking real clients (see the WAF logs in ${logGroupName})`,
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensions: { WebACL: this.webAcl.name, Region: config.region, Rule: 'ALL' },
      statistic: 'Sum',
      period: BLOCKED_ALARM_PERIOD_SECONDS,
      evaluationPeriods: 1,
      threshold: config.waf.blockedRequestsAlarmThreshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // No blocked request means no data point, which is the healthy state.
      treatMissingData: 'notBreaching',
      alarmActions: [target.alarmTopicArn],
      okActions: [target.alarmTopicArn],
    });

    this.addOutputs({
      web_acl_arn: [this.webAcl.arn, 'WAF web ACL associated with the API stage'],
      web_acl_name: [this.webAcl.name, 'WAF web ACL name (the WebACL dimension of its CloudWatch metrics)'],
      log_group_name: [this.logGroup.name, 'CloudWatch log group with the WAF logs (Authorization redacted)'],
    });
  }
}

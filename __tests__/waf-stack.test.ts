import './helpers/cdktf-matchers';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import * as fs from 'fs';
import { JSON_RESPONSE_HEADERS, MAX_BODY_BYTES, WAF_RATE_LIMITED } from '../lambda-src/api-contract';
import { evaluateStack } from '../policy/engine';
import { RULES } from '../policy/registry';
import { REQUIRED_MANAGED_GROUPS } from '../policy/rules/waf';
import { ConfigError, loadConfig } from '../stacks/config';
import { COMMON_RULE_SET_MAX_BODY_BYTES, HOSTING_PROVIDER_LABEL, RATE_LIMITED_BODY_KEY, WAF_RULES } from '../stacks/waf-stack';
import { API_REMOTE_STATE, synthWaf } from './helpers/waf-synth';
import { parse } from './helpers/synth';

interface AclRule {
  name: string;
  priority: number;
  action?: Record<string, unknown>;
  override_action?: Record<string, unknown>;
  statement: Record<string, Record<string, unknown>>;
  visibility_config: Record<string, unknown>;
}

function synth(env: Record<string, string> = {}) {
  const { outdir, json } = synthWaf(env);
  fs.rmSync(outdir, { recursive: true, force: true });
  const parsed = parse(json);
  const only = (type: string) => {
    const blocks = Object.values(parsed.resource[type] ?? {});
    expect(blocks).toHaveLength(1);
    return blocks[0];
  };
  const rules = only('aws_wafv2_web_acl').rule as AclRule[];
  const rule = (name: string) => rules.find((r) => r.name === name);
  return { json, parsed, only, rules, rule };
}

const acl = '${aws_wafv2_web_acl.web-acl.arn}';

describe('waf stack with the default configuration', () => {
  const { json, parsed, only, rules, rule } = synth();

  test('a REGIONAL web ACL that allows what no rule blocks, with metrics and sampled requests', () => {
    expect(json).toHaveResourceWithProperties(Wafv2WebAcl, {
      name: 'loan-remediation-dev',
      scope: 'REGIONAL',
      default_action: { allow: {} },
      visibility_config: { cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: 'loan-remediation-dev' },
    });
  });

  test('every rule in order: IP lists, hosting providers, the rate limit, then the body and header inspections; all block', () => {
    const summary = [...rules]
      .sort((a, b) => a.priority - b.priority)
      .map((r) => [r.priority, r.name, r.override_action ? 'group: none (blocks)' : Object.keys(r.action ?? {}).join()]);
    expect(summary).toEqual([
      [10, 'aws-ip-reputation', 'group: none (blocks)'],
      [20, 'aws-anonymous-ip', 'group: none (blocks)'],
      [25, 'hosting-provider-not-allowed', 'block'],
      [30, 'per-ip-rate-limit', 'block'],
      [40, 'aws-common', 'group: none (blocks)'],
      [50, 'aws-known-bad-inputs', 'group: none (blocks)'],
      [60, 'aws-sql-injection', 'group: none (blocks)'],
    ]);
    for (const r of rules) {
      // A rule group takes an override action (none: its rules act), a single rule takes an action.
      if (r.statement.managed_rule_group_statement) expect([r.override_action, r.action]).toEqual([{ none: {} }, undefined]);
      else expect([r.override_action, r.action]).toEqual([undefined, expect.objectContaining({ block: expect.anything() })]);
    }
  });

  test('the five managed rule groups the rule pack requires, by AWS, at their latest version', () => {
    const groups = rules.flatMap((r) => (r.statement.managed_rule_group_statement ? [r.statement.managed_rule_group_statement] : []));
    expect(groups.map((g) => g.name).sort()).toEqual([...REQUIRED_MANAGED_GROUPS].sort());
    for (const group of groups) {
      expect(group.vendor_name).toBe('AWS');
      expect(group).not.toHaveProperty('version');
      // Nothing is downgraded to count, SizeRestrictions_BODY included, but the hosting-provider list.
      if (group.name !== 'AWSManagedRulesAnonymousIpList') expect(group).not.toHaveProperty('rule_action_override');
    }
  });

  test('HostingProviderIPList only counts and labels; the next rule blocks on its label (no allow-list by default)', () => {
    expect(rule(WAF_RULES.anonymousIp.name)?.statement.managed_rule_group_statement.rule_action_override).toEqual([
      { name: 'HostingProviderIPList', action_to_use: { count: {} } },
    ]);
    expect(HOSTING_PROVIDER_LABEL).toBe('awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList');
    expect(rule(WAF_RULES.hostingProviders.name)).toMatchObject({
      priority: 25,
      action: { block: {} },
      statement: { label_match_statement: { scope: 'LABEL', key: HOSTING_PROVIDER_LABEL } },
    });
    expect(parsed.resource).not.toHaveProperty('aws_wafv2_ip_set');
  });

  test("the Common rule set's body limit is the contract's MAX_BODY_BYTES", () => {
    expect(COMMON_RULE_SET_MAX_BODY_BYTES).toBe(MAX_BODY_BYTES);
    expect(rule(WAF_RULES.common.name)?.statement.managed_rule_group_statement.name).toBe('AWSManagedRulesCommonRuleSet');
  });

  test('every rule has its own CloudWatch metric and sampled requests', () => {
    for (const r of rules) {
      expect(r.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, metric_name: r.name, sampled_requests_enabled: true });
    }
  });

  test('the rate limit counts per IP address over the configured window (500 per 300 s by default)', () => {
    expect(rule('per-ip-rate-limit')?.statement).toEqual({
      rate_based_statement: { limit: 500, evaluation_window_sec: 300, aggregate_key_type: 'IP' },
    });
  });

  test('a rate-limited client gets 429 with the JSON error body, Retry-After and the API headers', () => {
    expect(json).toHaveResourceWithProperties(Wafv2WebAcl, {
      custom_response_body: [
        { key: RATE_LIMITED_BODY_KEY, content_type: 'APPLICATION_JSON', content: JSON.stringify({ error: WAF_RATE_LIMITED.error }) },
      ],
    });
    const block = (rule('per-ip-rate-limit')?.action as { block: { custom_response: Record<string, unknown> } }).block;
    expect(block.custom_response).toEqual({
      response_code: 429,
      custom_response_body_key: RATE_LIMITED_BODY_KEY,
      response_header: [
        { name: 'Cache-Control', value: JSON_RESPONSE_HEADERS['Cache-Control'] },
        { name: 'X-Content-Type-Options', value: JSON_RESPONSE_HEADERS['X-Content-Type-Options'] },
        { name: 'Retry-After', value: '300' },
      ],
    });
    const [body] = only('aws_wafv2_web_acl').custom_response_body as { content: string }[];
    expect(JSON.parse(body.content)).toEqual({ error: 'Too many requests from this address; retry later' });
  });

  test('no opt-in rule by default: no country allow-list, no Bot Control', () => {
    expect(rule(WAF_RULES.allowedCountries.name)).toBeUndefined();
    expect(rule(WAF_RULES.botControl.name)).toBeUndefined();
  });

  test('the web ACL protects the api stack stage, read through remote state', () => {
    expect(json).toHaveResourceWithProperties(Wafv2WebAclAssociation, { resource_arn: API_REMOTE_STATE.stageArn, web_acl_arn: acl });
    expect(parsed.data?.terraform_remote_state).toHaveProperty('cross-stack-reference-input-api');
  });

  test('the Authorization header is redacted in the logs and replaced in every WAF output', () => {
    expect(json).toHaveResourceWithProperties(Wafv2WebAclLoggingConfiguration, {
      resource_arn: acl,
      log_destination_configs: ['${aws_cloudwatch_log_group.log-group.arn}'],
      redacted_fields: [{ single_header: { name: 'authorization' } }],
    });
    expect(json).toHaveResourceWithProperties(Wafv2WebAcl, {
      data_protection_config: {
        data_protection: [{ field: { field_type: 'SINGLE_HEADER', field_keys: ['authorization'] }, action: 'SUBSTITUTION' }],
      },
    });
  });

  test('only blocked and counted requests are logged by default', () => {
    expect(only('aws_wafv2_web_acl_logging_configuration').logging_filter).toEqual({
      default_behavior: 'DROP',
      filter: [
        {
          behavior: 'KEEP',
          requirement: 'MEETS_ANY',
          condition: [{ action_condition: { action: 'BLOCK' } }, { action_condition: { action: 'COUNT' } }],
        },
      ],
    });
  });

  test('logs go to aws-waf-logs-<prefix>, kept for LOG_RETENTION_DAYS and encrypted with the stack key', () => {
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: 'aws-waf-logs-loan-remediation-dev',
      retention_in_days: 365,
      kms_key_id: '${aws_kms_key.key.arn}',
    });
    const policy = JSON.parse(String(only('aws_kms_key').policy)) as { Statement: Record<string, unknown>[] };
    const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryptsWafLogs');
    expect(logs).toMatchObject({
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn':
            'arn:${data.aws_partition.partition.partition}:logs:us-east-1:${data.aws_caller_identity.account.account_id}:log-group:aws-waf-logs-loan-remediation-dev',
        },
      },
    });
    expect(only('aws_kms_key').enable_key_rotation).toBe(true);
  });

  test("a spike of blocked requests notifies the api stack's alarm topic", () => {
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: 'AWS/WAFV2',
      metric_name: 'BlockedRequests',
      dimensions: { WebACL: '${aws_wafv2_web_acl.web-acl.name}', Region: 'us-east-1', Rule: 'ALL' },
      statistic: 'Sum',
      period: 300,
      threshold: 100,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: [API_REMOTE_STATE.alarmTopicArn],
    });
  });

  test('outputs: the web ACL ARN and name, the log group', () => {
    expect(parsed.output).toMatchObject({
      web_acl_arn: { value: acl },
      web_acl_name: { value: '${aws_wafv2_web_acl.web-acl.name}' },
      log_group_name: { value: '${aws_cloudwatch_log_group.log-group.name}' },
    });
  });

  test('passes the security rule pack with no failure and no suppression', () => {
    const { evaluations } = evaluateStack('waf', parsed as Parameters<typeof evaluateStack>[1], RULES);
    expect(evaluations.filter((e) => e.outcome !== 'pass').map((e) => `${e.rule.id} ${e.element.address}: ${e.detail}`)).toEqual([]);
    const wafRulesChecked = new Set(evaluations.filter((e) => e.rule.id.startsWith('LR-WAF-')).map((e) => e.rule.id));
    expect([...wafRulesChecked].sort()).toEqual(['LR-WAF-001', 'LR-WAF-002', 'LR-WAF-003', 'LR-WAF-004', 'LR-WAF-005', 'LR-WAF-006', 'LR-WAF-007', 'LR-WAF-008']);
  });
});

describe('waf stack settings', () => {
  test('RATE_LIMIT and RATE_LIMIT_WINDOW_SECONDS set the limit, the window and Retry-After', () => {
    const { rule } = synth({ RATE_LIMIT: '1200', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const limit = rule('per-ip-rate-limit');
    expect(limit?.statement.rate_based_statement).toMatchObject({ limit: 1200, evaluation_window_sec: 60 });
    const headers = (limit?.action as { block: { custom_response: { response_header: { name: string; value: string }[] } } }).block
      .custom_response.response_header;
    expect(headers).toContainEqual({ name: 'Retry-After', value: '60' });
  });

  test('WAF_ALLOWED_COUNTRIES adds a first rule that blocks every other country', () => {
    const { rule } = synth({ WAF_ALLOWED_COUNTRIES: 'DE,FR,GB' });
    expect(rule('allowed-countries')).toMatchObject({
      priority: 0,
      action: { block: {} },
      statement: { not_statement: { statement: [{ geo_match_statement: { country_codes: ['DE', 'FR', 'GB'] } }] } },
    });
  });

  test('WAF_HOSTING_PROVIDER_ALLOW_LIST: one IP set per version; the label rule blocks only addresses outside them', () => {
    const { rule, parsed } = synth({ WAF_HOSTING_PROVIDER_ALLOW_LIST: '203.0.113.0/24, 198.51.100.7/32,2001:db8::/32' });
    expect(parsed.resource.aws_wafv2_ip_set).toEqual({
      'hosting-provider-allow-list-ipv4': expect.objectContaining({
        name: 'loan-remediation-dev-hosting-provider-allow-ipv4',
        scope: 'REGIONAL',
        ip_address_version: 'IPV4',
        addresses: ['203.0.113.0/24', '198.51.100.7/32'],
      }),
      'hosting-provider-allow-list-ipv6': expect.objectContaining({ ip_address_version: 'IPV6', addresses: ['2001:db8::/32'] }),
    });
    const notIn = (set: string) => ({ not_statement: { statement: [{ ip_set_reference_statement: { arn: `\${aws_wafv2_ip_set.${set}.arn}` } }] } });
    // Still a block on the label, never an Allow: an allow-listed client meets the rate limit and every inspection after it.
    expect(rule(WAF_RULES.hostingProviders.name)).toMatchObject({
      priority: 25,
      action: { block: {} },
      statement: {
        and_statement: {
          statement: [
            { label_match_statement: { scope: 'LABEL', key: HOSTING_PROVIDER_LABEL } },
            notIn('hosting-provider-allow-list-ipv4'),
            notIn('hosting-provider-allow-list-ipv6'),
          ],
        },
      },
    });
    expect(rule(WAF_RULES.hostingProviders.name)).not.toHaveProperty('action.allow');
  });

  test('an IPv4-only allow-list makes one IP set', () => {
    const { parsed, rule } = synth({ WAF_HOSTING_PROVIDER_ALLOW_LIST: '203.0.113.10/32' });
    expect(Object.keys(parsed.resource.aws_wafv2_ip_set as object)).toEqual(['hosting-provider-allow-list-ipv4']);
    expect((rule(WAF_RULES.hostingProviders.name)?.statement.and_statement as { statement: unknown[] }).statement).toHaveLength(2);
  });

  test.each([
    ['203.0.113.0/33'],
    ['203.0.113.1/24'],
    ['203.0.113.0'],
    ['0.0.0.0/0'],
    ['2001:db8::1/32'],
    ['2001:db8::/129'],
    ['example.com/32'],
    ['203.0.113.0/24,203.0.113.0/24'],
    ['203.0.113.0/24,,198.51.100.0/24'],
  ])('WAF_HOSTING_PROVIDER_ALLOW_LIST=%s fails with one line saying what is allowed', (value) => {
    expect(() => loadConfig({ WAF_HOSTING_PROVIDER_ALLOW_LIST: value })).toThrow(
      new ConfigError(
        'WAF_HOSTING_PROVIDER_ALLOW_LIST',
        value,
        'unset, or distinct comma-separated IPv4/IPv6 networks in CIDR notation (host bits zero, not /0), at most 10000 of each version, e.g. 203.0.113.0/24,2001:db8::/32',
      ),
    );
  });

  test('accepts IPv6 forms with an embedded IPv4 tail and mixed case', () => {
    expect(loadConfig({ WAF_HOSTING_PROVIDER_ALLOW_LIST: '::ffff:203.0.113.0/120,2001:DB8:0:1::/64' }).waf.hostingProviderAllowList).toEqual([
      '::ffff:203.0.113.0/120',
      '2001:DB8:0:1::/64',
    ]);
  });

  test('WAF_BOT_CONTROL=true adds Bot Control at the common inspection level, last', () => {
    const { rule, rules } = synth({ WAF_BOT_CONTROL: 'true' });
    expect(rule('aws-bot-control')).toMatchObject({
      priority: 70,
      override_action: { none: {} },
      statement: {
        managed_rule_group_statement: {
          vendor_name: 'AWS',
          name: 'AWSManagedRulesBotControlRuleSet',
          managed_rule_group_configs: [{ aws_managed_rules_bot_control_rule_set: { inspection_level: 'COMMON' } }],
          // API clients are programs: the user-agent and HTTP-library rules count instead of blocking.
          rule_action_override: [
            { name: 'SignalNonBrowserUserAgent', action_to_use: { count: {} } },
            { name: 'CategoryHttpLibrary', action_to_use: { count: {} } },
          ],
        },
      },
    });
    expect(Math.max(...rules.map((r) => r.priority))).toBe(70);
  });

  test('WAF_LOG_SCOPE=all logs every request (no filter)', () => {
    const { only } = synth({ WAF_LOG_SCOPE: 'all' });
    expect(only('aws_wafv2_web_acl_logging_configuration')).not.toHaveProperty('logging_filter');
  });

  test('WAF_BLOCKED_ALARM_THRESHOLD and LOG_RETENTION_DAYS reach the alarm and the log group', () => {
    const { json } = synth({ WAF_BLOCKED_ALARM_THRESHOLD: '25', LOG_RETENTION_DAYS: '30' });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { threshold: 25 });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 30 });
  });
});

# Mocked apply of the `waf` stack: the real provider schema, no AWS account. The api stack's stage and
# alarm topic arrive through remote state, so this file gives them fixed values and follows them through.
mock_provider "aws" {
  source = "./mocks"
}

override_data {
  target = data.terraform_remote_state.cross-stack-reference-input-api
  values = {
    outputs = {
      "cross-stack-output-aws_api_gateway_stagestagearn" = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/v1"
      "cross-stack-output-aws_sns_topicalarm-topicarn"   = "arn:aws:sns:us-east-1:123456789012:alarms"
    }
  }
}

run "web_acl_protects_the_stage_rate_limits_and_logs_without_tokens" {
  command = apply

  # Association with the api stack's stage.
  assert {
    condition = alltrue([
      aws_wafv2_web_acl_association.stage-association.resource_arn == "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/v1",
      aws_wafv2_web_acl_association.stage-association.web_acl_arn == aws_wafv2_web_acl.web-acl.arn,
    ])
    error_message = "the web ACL must be associated with the api stack's stage"
  }
  assert {
    condition     = aws_wafv2_web_acl.web-acl.scope == "REGIONAL" && length(one(aws_wafv2_web_acl.web-acl.default_action).allow) == 1
    error_message = "a REGIONAL web ACL (API Gateway) that allows what no rule blocks"
  }

  # Rules: the five managed groups block, each rule has metrics and sampled requests.
  assert {
    condition = toset([
      for r in aws_wafv2_web_acl.web-acl.rule : one(one(r.statement).managed_rule_group_statement).name
      if length(one(r.statement).managed_rule_group_statement) > 0
      ]) == toset([
      "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList", "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet",
    ])
    error_message = "the five AWS managed rule groups must be attached"
  }
  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.web-acl.rule : length(one(r.override_action).none) == 1
      if length(one(r.statement).managed_rule_group_statement) > 0
    ])
    error_message = "managed rule groups must block (override_action none), not count"
  }
  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.web-acl.rule : one(r.visibility_config).cloudwatch_metrics_enabled && one(r.visibility_config).sampled_requests_enabled
    ])
    error_message = "every rule needs CloudWatch metrics and sampled requests"
  }

  # Hosting providers: the managed rule only counts and labels; a rule of ours blocks on the label.
  # (HCL's && does not short-circuit: try() stands for "when the block exists".)
  assert {
    condition = one([
      for r in aws_wafv2_web_acl.web-acl.rule : [
        for o in one(one(r.statement).managed_rule_group_statement).rule_action_override : "${o.name}:${length(one(o.action_to_use).count)}"
      ] if try(one(one(r.statement).managed_rule_group_statement).name, "") == "AWSManagedRulesAnonymousIpList"
    ]) == ["HostingProviderIPList:1"]
    error_message = "HostingProviderIPList must only count (and label)"
  }
  assert {
    condition = one([
      for r in aws_wafv2_web_acl.web-acl.rule : one(one(r.statement).label_match_statement).key
      if r.name == "hosting-provider-not-allowed" && try(length(one(r.action).block), 0) == 1 && r.priority == 25
    ]) == "awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList"
    error_message = "a rule after the Anonymous IP list must block on the HostingProviderIPList label"
  }

  # The rate limit: per IP, 500 per 300 s, answered 429 with the JSON body and Retry-After.
  assert {
    condition = one([
      for r in aws_wafv2_web_acl.web-acl.rule : one(one(r.statement).rate_based_statement)
      if length(one(r.statement).rate_based_statement) > 0
    ]) != null
    error_message = "exactly one rate-based rule"
  }
  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.web-acl.rule : alltrue([
        one(one(r.statement).rate_based_statement).limit == 500,
        one(one(r.statement).rate_based_statement).evaluation_window_sec == 300,
        one(one(r.statement).rate_based_statement).aggregate_key_type == "IP",
        one(one(one(r.action).block).custom_response).response_code == 429,
        one(one(one(r.action).block).custom_response).custom_response_body_key == "rate-limited",
        contains([for h in one(one(one(r.action).block).custom_response).response_header : "${h.name}: ${h.value}"], "Retry-After: 300"),
      ]) if length(one(r.statement).rate_based_statement) > 0
    ])
    error_message = "the rate-based rule must count per IP over 300 s and answer 429 with the rate-limited body and Retry-After"
  }
  assert {
    condition = alltrue([
      for b in aws_wafv2_web_acl.web-acl.custom_response_body :
      b.content_type == "APPLICATION_JSON" && jsondecode(b.content).error == "Too many requests from this address; retry later"
      if b.key == "rate-limited"
    ])
    error_message = "the 429 body must be the API's JSON error"
  }

  # Logs: aws-waf-logs-*, retention, encrypted, Authorization redacted, blocked and counted only.
  assert {
    condition = alltrue([
      aws_cloudwatch_log_group.log-group.name == "aws-waf-logs-loan-remediation-dev",
      aws_cloudwatch_log_group.log-group.retention_in_days == 365,
      aws_cloudwatch_log_group.log-group.kms_key_id == aws_kms_key.key.arn,
    ])
    error_message = "WAF logs must go to an encrypted aws-waf-logs-<prefix> group with a retention"
  }
  assert {
    condition = alltrue([
      aws_wafv2_web_acl_logging_configuration.logging.resource_arn == aws_wafv2_web_acl.web-acl.arn,
      aws_wafv2_web_acl_logging_configuration.logging.log_destination_configs == toset([aws_cloudwatch_log_group.log-group.arn]),
      one(one(aws_wafv2_web_acl_logging_configuration.logging.redacted_fields).single_header).name == "authorization",
      one(aws_wafv2_web_acl_logging_configuration.logging.logging_filter).default_behavior == "DROP",
    ])
    error_message = "the web ACL must log to the log group, redact Authorization and keep only blocked and counted requests"
  }
  assert {
    condition     = one(one(aws_wafv2_web_acl.web-acl.data_protection_config).data_protection).action == "SUBSTITUTION"
    error_message = "data protection must replace the Authorization header in sampled requests too"
  }

  # Alarm into the api stack's topic.
  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.blocked-requests-alarm.namespace == "AWS/WAFV2",
      aws_cloudwatch_metric_alarm.blocked-requests-alarm.metric_name == "BlockedRequests",
      aws_cloudwatch_metric_alarm.blocked-requests-alarm.dimensions == tomap({ WebACL = aws_wafv2_web_acl.web-acl.name, Region = "us-east-1", Rule = "ALL" }),
      aws_cloudwatch_metric_alarm.blocked-requests-alarm.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:alarms"]),
    ])
    error_message = "a spike of blocked requests must notify the api stack's alarm topic"
  }

  assert {
    condition = alltrue([
      output.web_acl_arn == aws_wafv2_web_acl.web-acl.arn,
      output.web_acl_name == aws_wafv2_web_acl.web-acl.name,
      output.log_group_name == aws_cloudwatch_log_group.log-group.name,
    ])
    error_message = "outputs must export the web ACL and the log group"
  }
}

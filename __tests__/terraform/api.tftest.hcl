# Mocked apply of the `api` stack: the real provider schema, no AWS account. The redshift stack's
# outputs arrive through remote state, so this file gives them fixed values and follows them through.
mock_provider "aws" {
  source = "./mocks"

  # ARNs the provider validates downstream (alarm actions, the Lambda permission, the authorizer).
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mock-alarms" }
  }
  mock_resource "aws_api_gateway_rest_api" {
    defaults = {
      execution_arn    = "arn:aws:execute-api:us-east-1:123456789012:abc123"
      root_resource_id = "root1234"
    }
  }
  mock_resource "aws_api_gateway_stage" {
    defaults = {
      arn        = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/v1"
      invoke_url = "https://abc123.execute-api.us-east-1.amazonaws.com/v1"
    }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = { arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Mock" }
  }
}

override_data {
  target = data.terraform_remote_state.cross-stack-reference-input-redshift
  values = {
    outputs = {
      "cross-stack-output-aws_redshiftserverless_workgroupworkgroupworkgroup_name" = "loan-remediation-dev"
      "cross-stack-output-aws_redshiftserverless_workgroupworkgrouparn"            = "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/wg-1111"
      "cross-stack-output-aws_redshiftserverless_namespacenamespacedb_name"        = "loans"
      "cross-stack-output-localqualified_table"                                    = "public.loan_remediation"
      "cross-stack-output-localqualified_prediction_function"                      = "public.ml_fn_prediction"
      "cross-stack-output-aws_redshiftserverless_usage_limitdaily-compute-limitid" = "usage-limit-1111"
    }
  }
}

run "prediction_api_is_authorized_validated_logged_and_alarmed" {
  command = apply

  # The Lambda reads the warehouse from the redshift stack and answers before API Gateway gives up.
  assert {
    condition = alltrue([
      aws_lambda_function.prediction_function_797FC47E.environment[0].variables.WORKGROUP_NAME == "loan-remediation-dev",
      aws_lambda_function.prediction_function_797FC47E.environment[0].variables.DATABASE_NAME == "loans",
      aws_lambda_function.prediction_function_797FC47E.environment[0].variables.TABLE_NAME == "public.loan_remediation",
      aws_lambda_function.prediction_function_797FC47E.environment[0].variables.PREDICTION_FUNCTION == "public.ml_fn_prediction",
    ])
    error_message = "the Lambda must query the redshift stack's workgroup, database, table and function"
  }
  assert {
    condition = alltrue([
      aws_lambda_function.prediction_function_797FC47E.timeout < 29,
      tonumber(aws_lambda_function.prediction_function_797FC47E.environment[0].variables.DEADLINE_MS) <= aws_lambda_function.prediction_function_797FC47E.timeout * 1000 - 2500,
      aws_lambda_function.prediction_function_797FC47E.runtime == "nodejs22.x",
      aws_lambda_function.prediction_function_797FC47E.architectures[0] == "arm64",
      coalesce(aws_lambda_function.prediction_function_797FC47E.reserved_concurrent_executions, -1) == -1,
      aws_lambda_function.prediction_function_797FC47E.tracing_config[0].mode == "Active",
    ])
    error_message = "the Lambda must be Node 22 on arm64, traced, reserve no concurrency, and finish its deadline before its timeout and API Gateway's 29 s"
  }

  # Data API access: the workgroup only; statements only its own.
  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.prediction-access.statement :
      contains(tolist(s.resources), "*") ? one(s.condition).variable == (s.sid == "ReuseOwnSessionsOnly" ? "redshift-data:session-owner-iam-userid" : "redshift-data:statement-owner-iam-userid") && toset(one(s.condition).values) == toset(["$${aws:userid}"]) : toset(s.resources) == toset(s.sid == "DecryptOwnEnvironment" ? [aws_kms_key.key.arn] : ["arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/wg-1111"])
    ])
    error_message = "the Lambda may run statements on the workgroup only, follow only its own statements, reuse only its own sessions and decrypt with the stack key only"
  }
  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.prediction-access.statement : s.actions])) == toset([
      "redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials",
      "redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement",
      "kms:Decrypt",
    ])
    error_message = "the Lambda's Data API permissions must be exactly what a prediction needs"
  }

  # Cognito: no self sign-up, no user-existence errors, a machine client with a secret, a public people client.
  assert {
    condition     = aws_cognito_user_pool.user-pool.admin_create_user_config[0].allow_admin_create_user_only
    error_message = "only administrators may create users"
  }
  assert {
    condition = alltrue([
      aws_cognito_user_pool_client.machine-client.generate_secret,
      aws_cognito_user_pool_client.machine-client.allowed_oauth_flows == toset(["client_credentials"]),
      aws_cognito_user_pool_client.machine-client.allowed_oauth_scopes == toset(["${aws_cognito_resource_server.resource-server.identifier}/predict"]),
      !aws_cognito_user_pool_client.people-client.generate_secret,
      aws_cognito_user_pool_client.people-client.allowed_oauth_flows == toset(["code"]),
      aws_cognito_user_pool_client.machine-client.prevent_user_existence_errors == "ENABLED",
      aws_cognito_user_pool_client.people-client.prevent_user_existence_errors == "ENABLED",
    ])
    error_message = "machine client: client credentials with a secret; people client: code flow without one; both hide user existence"
  }

  # POST /loan: Cognito authorizer with the predict scope, Lambda proxy (the Lambda validates the body).
  assert {
    condition = alltrue([
      aws_api_gateway_method.loan-post.authorization == "COGNITO_USER_POOLS",
      aws_api_gateway_method.loan-post.authorizer_id == aws_api_gateway_authorizer.cognito-authorizer.id,
      aws_api_gateway_method.loan-post.authorization_scopes == toset([output.predict_scope]),
      aws_api_gateway_authorizer.cognito-authorizer.provider_arns == toset([aws_cognito_user_pool.user-pool.arn]),
      aws_api_gateway_integration.loan-post-lambda.type == "AWS_PROXY",
      aws_api_gateway_integration.loan-post-lambda.uri == aws_lambda_function.prediction_function_797FC47E.invoke_arn,
    ])
    error_message = "POST /loan must require an access token with the predict scope and proxy to the Lambda"
  }
  # Gateway responses: the fallbacks keep every other type's status; every one maps the request id.
  assert {
    condition = alltrue([
      aws_api_gateway_gateway_response.gateway-response-default-4xx.status_code == null,
      aws_api_gateway_gateway_response.gateway-response-default-5xx.status_code == null,
      aws_api_gateway_gateway_response.gateway-response-waf-filtered.status_code == "403",
      aws_api_gateway_gateway_response.gateway-response-default-5xx.response_parameters["gatewayresponse.header.X-Request-Id"] == "context.requestId",
      aws_api_gateway_gateway_response.gateway-response-throttled.response_parameters["gatewayresponse.header.Retry-After"] == "'1'",
      length(regexall("validationErrorString", jsonencode(aws_api_gateway_gateway_response.gateway-response-unauthorized.response_templates))) == 0,
    ])
    error_message = "DEFAULT_4XX/5XX must set no status, every gateway response must map X-Request-Id from context.requestId"
  }
  assert {
    condition     = aws_lambda_permission.invoke-from-api.source_arn == "${aws_api_gateway_rest_api.rest-api.execution_arn}/*/POST/loan"
    error_message = "only this API's POST /loan may invoke the Lambda"
  }

  # Stage: logs, traces, throttling, no data tracing.
  assert {
    condition = alltrue([
      aws_api_gateway_stage.stage.xray_tracing_enabled,
      aws_api_gateway_stage.stage.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access-log-group.arn,
      can(jsondecode(aws_api_gateway_stage.stage.access_log_settings[0].format).requestId),
      aws_api_gateway_method_settings.stage-settings.settings[0].data_trace_enabled == false,
      aws_api_gateway_method_settings.stage-settings.settings[0].throttling_rate_limit == 8,
      aws_api_gateway_method_settings.stage-settings.settings[0].throttling_burst_limit == 8,
    ])
    error_message = "the stage must write JSON access logs, trace, throttle and never log bodies"
  }

  # Alarms go to the encrypted topic.
  assert {
    condition     = aws_sns_topic.alarm-topic.kms_master_key_id == aws_kms_key.key.arn
    error_message = "the alarm topic must be encrypted with the stack's key"
  }
  assert {
    condition = alltrue([
      for alarm in [
        aws_cloudwatch_metric_alarm.api-5xx-rate, aws_cloudwatch_metric_alarm.api-p99-latency,
        aws_cloudwatch_metric_alarm.lambda-errors, aws_cloudwatch_metric_alarm.lambda-throttles,
        aws_cloudwatch_metric_alarm.data-api-throttled, aws_cloudwatch_metric_alarm.warehouse-usage-budget,
      ] : alarm.alarm_actions == toset([aws_sns_topic.alarm-topic.arn])
    ])
    error_message = "every alarm must notify the alarm topic"
  }
  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.warehouse-usage-budget.dimensions.UsageLimitId == "usage-limit-1111",
      aws_cloudwatch_metric_alarm.warehouse-usage-budget.dimensions.Workgroup == "loan-remediation-dev",
      aws_cloudwatch_metric_alarm.warehouse-usage-budget.threshold == 19.2,
    ])
    error_message = "the usage alarm must watch the redshift stack's daily limit, at 80 % of its 24 RPU-hours"
  }

  # Outputs the scripts and the waf stack read.
  assert {
    condition = alltrue([
      output.lambda_role_name == aws_iam_role.prediction_role_37B9E9CB.name,
      output.stage_arn == aws_api_gateway_stage.stage.arn,
      output.alarm_topic_arn == aws_sns_topic.alarm-topic.arn,
      output.machine_client_id == aws_cognito_user_pool_client.machine-client.id,
      output.user_pool_id == aws_cognito_user_pool.user-pool.id,
      output.token_endpoint == "https://${aws_cognito_user_pool_domain.user-pool-domain.domain}.auth.us-east-1.amazoncognito.com/oauth2/token",
      output.invoke_url == "${aws_api_gateway_stage.stage.invoke_url}/loan",
    ])
    error_message = "outputs must export what npm run token, npm run predict, warehouse:setup and the waf stack read"
  }
}

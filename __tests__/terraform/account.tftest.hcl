# Mocked apply of the `account` stack (synthesized with CI_REPOSITORY=example-org/loan-remediation,
# STATE_BUCKET and STATE_KMS_KEY_ARN set for its own backend, see terraform.test.ts): the real provider
# schema, no AWS account. The CI roles find the state by name and tags, not by those settings.
mock_provider "aws" {
  source = "./mocks"
}

run "ci_identities_trust_exactly_the_repository_subjects" {
  command = apply

  assert {
    condition = alltrue([
      aws_iam_openid_connect_provider.github-oidc-provider.url == "https://token.actions.githubusercontent.com",
      aws_iam_openid_connect_provider.github-oidc-provider.client_id_list == toset(["sts.amazonaws.com"]),
    ])
    error_message = "the OIDC provider must be GitHub Actions' issuer, for the STS audience"
  }
  assert {
    condition = jsondecode(aws_iam_role.dev-plan-role.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == [
      "repo:example-org/loan-remediation:pull_request",
      "repo:example-org/loan-remediation:ref:refs/heads/main",
    ]
    error_message = "the plan role must trust pull requests and the main branch of the repository only"
  }
  assert {
    condition     = jsondecode(aws_iam_role.dev-deploy-role.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:example-org/loan-remediation:environment:dev"]
    error_message = "the deploy role must trust only jobs in the dev GitHub environment"
  }
  assert {
    condition = alltrue([
      for role in [aws_iam_role.dev-plan-role, aws_iam_role.dev-deploy-role] :
      jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == aws_iam_openid_connect_provider.github-oidc-provider.arn
    ])
    error_message = "both CI roles must trust the GitHub OIDC provider this stack creates"
  }
  assert {
    condition = alltrue([
      aws_iam_role_policy_attachment.dev-deploy-policy-1-attachment.role == aws_iam_role.dev-deploy-role.name,
      aws_iam_role_policy_attachment.dev-deploy-policy-1-attachment.policy_arn == aws_iam_policy.dev-deploy-policy-1.arn,
      aws_iam_role_policy_attachment.dev-plan-policy-1-attachment.role == aws_iam_role.dev-plan-role.name,
    ])
    error_message = "the generated policies must be attached to their roles"
  }
  assert {
    condition     = aws_iam_policy.dev-boundary.name == "loan-remediation-dev-boundary"
    error_message = "the boundary must have the name every stack derives its ARN from"
  }
  assert {
    condition     = strcontains(aws_iam_role_policy.dev-deploy-state-policy.policy, "arn:aws:s3:::loan-remediation-dev-tfstate-*/loan-remediation/dev/*")
    error_message = "the deploy role must reach its environment's state objects in the state bucket"
  }
  assert {
    condition     = aws_api_gateway_account.api-gateway-account.cloudwatch_role_arn == aws_iam_role.api-gateway-logging-role.arn
    error_message = "API Gateway's account settings must use this stack's CloudWatch Logs role"
  }
  assert {
    condition     = output.dev_deploy_role_arn == aws_iam_role.dev-deploy-role.arn && output.dev_plan_role_arn == aws_iam_role.dev-plan-role.arn
    error_message = "the role ARNs must be outputs, for the dev environment's AWS_DEPLOY_ROLE_ARN and the repository's AWS_PLAN_ROLE_ARN_DEV"
  }
}

# Shared values for `mock_provider "aws" { source = "./mocks" }`: computed attributes that the
# provider validates downstream (ARNs, JSON documents) get realistic shapes instead of random strings.

mock_resource "aws_vpc" {
  defaults = { owner_id = "123456789012" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
}
mock_resource "aws_iam_policy" {
  defaults = { arn = "arn:aws:iam::123456789012:policy/mock-policy" }
}
mock_resource "aws_iam_openid_connect_provider" {
  defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock-log-group" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock-bucket" }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock-function"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock-function/invocations"
  }
}
mock_resource "aws_redshiftserverless_namespace" {
  defaults = { arn = "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_redshiftserverless_workgroup" {
  defaults = { arn = "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_wafv2_web_acl" {
  defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/mock-web-acl/11111111-2222-3333-4444-555555555555" }
}
mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/mock"
  }
}
mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}
mock_data "aws_region" {
  defaults = { name = "us-east-1" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

# Mocked apply of the `state` stack: the real provider schema, no AWS account.
mock_provider "aws" {
  source = "./mocks"
}

run "state_bucket_is_locked_down" {
  command = apply

  assert {
    condition     = aws_s3_bucket_versioning.state-bucket_versioning.versioning_configuration[0].status == "Enabled"
    error_message = "the state bucket must keep old versions of every state file"
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.state-bucket_public-access-block.block_public_acls,
      aws_s3_bucket_public_access_block.state-bucket_public-access-block.block_public_policy,
      aws_s3_bucket_public_access_block.state-bucket_public-access-block.ignore_public_acls,
      aws_s3_bucket_public_access_block.state-bucket_public-access-block.restrict_public_buckets,
    ])
    error_message = "the state bucket must block every kind of public access"
  }
  assert {
    condition = alltrue([
      for r in [
        aws_s3_bucket_public_access_block.state-bucket_public-access-block.bucket,
        aws_s3_bucket_versioning.state-bucket_versioning.bucket,
        aws_s3_bucket_server_side_encryption_configuration.state-bucket_encryption.bucket,
        aws_s3_bucket_policy.state-bucket_tls-only.bucket,
        aws_s3_bucket_lifecycle_configuration.state-bucket_lifecycle.bucket,
      ] : r == aws_s3_bucket.state-bucket.id
    ])
    error_message = "every bucket control must apply to the state bucket itself"
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.state-bucket_encryption.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.state-key.arn
    error_message = "state files hold secrets: the bucket must encrypt them with the state key"
  }
  assert {
    condition     = aws_kms_key.state-key.enable_key_rotation && output.state_kms_key_arn == aws_kms_key.state-key.arn
    error_message = "the state key must rotate and be exported for STATE_KMS_KEY_ARN"
  }
  assert {
    condition     = output.state_bucket_name == aws_s3_bucket.state-bucket.bucket
    error_message = "state_bucket_name must name the state bucket"
  }
}

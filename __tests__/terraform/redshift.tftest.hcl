# Mocked apply of the `redshift` stack: the real provider schema, no AWS account. The network stack's
# outputs arrive through remote state, so this file gives them fixed values and follows them through.
mock_provider "aws" {
  source = "./mocks"
}

override_data {
  target = data.terraform_remote_state.cross-stack-reference-input-network
  values = {
    outputs = {
      "cross-stack-output-aws_subnetprivate-subnet-1id"                 = "subnet-aaaa"
      "cross-stack-output-aws_subnetprivate-subnet-2id"                 = "subnet-bbbb"
      "cross-stack-output-aws_subnetprivate-subnet-3id"                 = "subnet-cccc"
      "cross-stack-output-aws_security_groupredshift-security-groupid" = "sg-redshift"
      "cross-stack-output-aws_s3_bucketdataset-bucketarn"               = "arn:aws:s3:::dataset-bucket"
      "cross-stack-output-aws_s3_bucketdataset-bucketbucket"            = "dataset-bucket"
      "cross-stack-output-aws_s3_objectdataset-objectkey"               = "dataset/loan_remediation_data.csv"
      "cross-stack-output-aws_s3_bucketaccess-logs-bucketbucket"        = "access-logs-bucket"
    }
  }
}

run "warehouse_is_private_encrypted_audited_and_capped" {
  command = apply

  assert {
    condition     = aws_s3_bucket_logging.model-artifacts-bucket_access-logging.target_bucket == "access-logs-bucket"
    error_message = "access to the model artifacts must be logged to the network stack's access-logs bucket"
  }

  # Namespace: managed password, our key by ARN, the ML role as default, every audit log.
  assert {
    condition     = aws_redshiftserverless_namespace.namespace.manage_admin_password && aws_redshiftserverless_namespace.namespace.admin_user_password == null
    error_message = "the admin password must be generated and kept by Redshift in Secrets Manager, never passed in"
  }
  assert {
    condition = alltrue([
      aws_redshiftserverless_namespace.namespace.kms_key_id == aws_kms_key.key.arn,
      aws_redshiftserverless_namespace.namespace.admin_password_secret_kms_key_id == aws_kms_key.key.arn,
    ])
    error_message = "the namespace and its admin secret must be encrypted with the stack's key, by ARN"
  }
  assert {
    condition     = !contains(["admin", "awsuser"], aws_redshiftserverless_namespace.namespace.admin_username)
    error_message = "the admin user must not have Redshift's default name"
  }
  assert {
    condition = alltrue([
      aws_redshiftserverless_namespace.namespace.default_iam_role_arn == aws_iam_role.redshift-ml-role.arn,
      contains(aws_redshiftserverless_namespace.namespace.iam_roles, aws_iam_role.redshift-ml-role.arn),
    ])
    error_message = "IAM_ROLE default needs the ML role as the default role and among the namespace's roles"
  }
  assert {
    condition     = toset(aws_redshiftserverless_namespace.namespace.log_exports) == toset(["useractivitylog", "userlog", "connectionlog"])
    error_message = "all three audit logs must be exported"
  }
  assert {
    condition = alltrue([
      for group in [
        aws_cloudwatch_log_group.useractivitylog-log-group,
        aws_cloudwatch_log_group.userlog-log-group,
        aws_cloudwatch_log_group.connectionlog-log-group,
      ] : startswith(group.name, "/aws/redshift/${aws_redshiftserverless_namespace.namespace.namespace_name}/") && group.kms_key_id == aws_kms_key.key.arn && group.retention_in_days > 0
    ])
    error_message = "audit logs must land in the namespace's log groups, encrypted and with a retention"
  }

  # Workgroup: in the network stack's private subnets and security group, never public, TLS only.
  assert {
    condition     = toset(aws_redshiftserverless_workgroup.workgroup.subnet_ids) == toset(["subnet-aaaa", "subnet-bbbb", "subnet-cccc"])
    error_message = "the workgroup must use the three private subnets of the network stack"
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.workgroup.security_group_ids == toset(["sg-redshift"])
    error_message = "the workgroup must use the network stack's Redshift security group only"
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.workgroup.publicly_accessible == false
    error_message = "the workgroup must not be publicly accessible"
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.workgroup.namespace_name == aws_redshiftserverless_namespace.namespace.namespace_name
    error_message = "the workgroup must serve the stack's namespace"
  }
  assert {
    condition = alltrue([
      for key, value in {
        require_ssl                  = "true"
        enable_user_activity_logging = "true"
        max_query_execution_time     = "3600"
      } : contains([for p in aws_redshiftserverless_workgroup.workgroup.config_parameter : p.parameter_value if p.parameter_key == key], value)
    ])
    error_message = "the workgroup must require TLS, log user activity and cap query time"
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.workgroup.base_capacity == 8
    error_message = "the default base capacity is 8 RPU"
  }

  # Cost cap on the workgroup.
  assert {
    condition = alltrue([
      aws_redshiftserverless_usage_limit.daily-compute-limit.resource_arn == aws_redshiftserverless_workgroup.workgroup.arn,
      aws_redshiftserverless_usage_limit.daily-compute-limit.usage_type == "serverless-compute",
      aws_redshiftserverless_usage_limit.daily-compute-limit.period == "daily",
      aws_redshiftserverless_usage_limit.daily-compute-limit.breach_action == "deactivate",
    ])
    error_message = "a daily RPU-hour limit must stop queries on the workgroup by default"
  }

  # Key: rotated, administered by the account, CloudWatch Logs only for the audit log groups.
  assert {
    condition     = aws_kms_key.key.enable_key_rotation
    error_message = "the key must rotate"
  }
  assert {
    condition     = contains([for s in jsondecode(aws_kms_key.key.policy).Statement : try(s.Principal.AWS, "")], "arn:aws:iam::123456789012:root")
    error_message = "the key policy must name the account root"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_kms_key.key.policy).Statement : can(s.Principal.AWS) || can(s.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"])
    ])
    error_message = "service principals in the key policy must be limited by a condition"
  }

  # ML role: trusted by the three services, reads exactly the dataset object, passes only itself.
  assert {
    condition = toset(one(jsondecode(aws_iam_role.redshift-ml-role.assume_role_policy).Statement).Principal.Service) == toset([
      "redshift.amazonaws.com", "redshift-serverless.amazonaws.com", "sagemaker.amazonaws.com",
    ])
    error_message = "Redshift, Redshift Serverless and SageMaker must be able to assume the ML role"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.redshift-ml-role_policy.policy).Statement : s.Resource if s.Sid == "ReadDatasetObject"]) == ["arn:aws:s3:::dataset-bucket/dataset/loan_remediation_data.csv"]
    error_message = "the ML role must read the dataset object only"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.redshift-ml-role_policy.policy).Statement : [
        for a in s.Action : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "the ML role must not use wildcard actions"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.redshift-ml-role_policy.policy).Statement : can(s.Condition) if contains(s.Resource, "*")
    ])
    error_message = "every `*` resource in the ML role's policy needs a condition"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.redshift-ml-role_policy.policy).Statement : s.Resource if s.Sid == "PassThisRoleToSageMaker"]) == [aws_iam_role.redshift-ml-role.arn]
    error_message = "the ML role may pass only itself"
  }
  assert {
    condition     = aws_iam_role_policy.redshift-ml-role_policy.role == aws_iam_role.redshift-ml-role.id
    error_message = "the policy must be attached to the ML role"
  }

  # Artifacts bucket: the stack's key, expiring training leftovers.
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.model-artifacts-bucket_encryption.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.key.arn
    error_message = "model artifacts must be encrypted with the stack's key"
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.model-artifacts-bucket_lifecycle.rule).expiration).days == 30
    error_message = "training artifacts must expire"
  }

  # Outputs the warehouse scripts read.
  assert {
    condition = alltrue([
      output.dataset_uri == "s3://dataset-bucket/dataset/loan_remediation_data.csv",
      output.workgroup_name == aws_redshiftserverless_workgroup.workgroup.workgroup_name,
      output.workgroup_arn == aws_redshiftserverless_workgroup.workgroup.arn,
      output.admin_secret_arn == aws_redshiftserverless_namespace.namespace.admin_password_secret_arn,
      output.artifacts_bucket_name == aws_s3_bucket.model-artifacts-bucket.bucket,
      output.kms_key_id == aws_kms_key.key.key_id,
      output.ml_role_arn == aws_iam_role.redshift-ml-role.arn,
      output.database_name == aws_redshiftserverless_namespace.namespace.db_name,
    ])
    error_message = "outputs must export what npm run warehouse:setup reads"
  }
}

# Mocked apply of the `network` stack: the real provider schema, no AWS account.
mock_provider "aws" {
  source = "./mocks"
}

run "private_network_and_dataset" {
  command = apply

  assert {
    condition     = aws_vpc.vpc.cidr_block == "10.80.0.0/20"
    error_message = "the VPC must use the configured CIDR"
  }
  assert {
    condition = length(toset([
      aws_subnet.private-subnet-1.availability_zone_id,
      aws_subnet.private-subnet-2.availability_zone_id,
      aws_subnet.private-subnet-3.availability_zone_id,
    ])) == 3
    error_message = "Redshift Serverless needs subnets in three availability zone IDs"
  }
  assert {
    condition = !anytrue([
      aws_subnet.private-subnet-1.map_public_ip_on_launch,
      aws_subnet.private-subnet-2.map_public_ip_on_launch,
      aws_subnet.private-subnet-3.map_public_ip_on_launch,
    ])
    error_message = "private subnets must not hand out public IPs"
  }
  assert {
    condition = alltrue([
      for a in [
        aws_route_table_association.private-subnet-1-routes,
        aws_route_table_association.private-subnet-2-routes,
        aws_route_table_association.private-subnet-3-routes,
      ] : a.route_table_id == aws_route_table.private-route-table.id
    ])
    error_message = "every private subnet must use the private route table"
  }
  assert {
    condition     = contains(aws_vpc_endpoint.s3-gateway-endpoint.route_table_ids, aws_route_table.private-route-table.id)
    error_message = "the S3 gateway endpoint must serve the private route table"
  }
  assert {
    condition     = length(aws_default_security_group.default-security-group.ingress) == 0 && length(aws_default_security_group.default-security-group.egress) == 0
    error_message = "the default security group must have no rules"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.redshift-ingress-from-vpc.cidr_ipv4 == aws_vpc.vpc.cidr_block
    error_message = "Redshift may only be reached from inside the VPC"
  }
  assert {
    condition     = aws_flow_log.flow-log.log_destination == aws_cloudwatch_log_group.flow-log-group.arn && aws_flow_log.flow-log.traffic_type == "ALL"
    error_message = "all VPC traffic must be logged to the flow-log group"
  }
  assert {
    condition     = aws_s3_object.dataset-object.bucket == aws_s3_bucket.dataset-bucket.id
    error_message = "the dataset must be uploaded to the dataset bucket"
  }
  assert {
    condition     = aws_s3_bucket_logging.dataset-bucket_access-logging.target_bucket == aws_s3_bucket.access-logs-bucket.id
    error_message = "dataset bucket access must be logged to the access-logs bucket"
  }
  assert {
    condition     = length(output.private_subnet_ids) == 3 && output.dataset_object_key == aws_s3_object.dataset-object.key
    error_message = "outputs must export the subnets and the dataset object key for operators"
  }
}

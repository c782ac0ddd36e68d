//! AWS services by name: which service an endpoint's DNS name is
//! (`sqs.ap-northeast-2.amazonaws.com` is SQS), in the upper-case names
//! AWS's IP ranges and the flow log's `pkt-dst-aws-service` use, and which
//! services a gateway endpoint can carry.

/// Endpoint prefixes (the label before the region) and the service name.
const ENDPOINT_PREFIXES: &[(&str, &str)] = &[
    ("s3", "S3"),
    ("s3-control", "S3"),
    ("s3-accesspoint", "S3"),
    ("dynamodb", "DYNAMODB"),
    ("streams.dynamodb", "DYNAMODB"),
    ("sqs", "SQS"),
    ("sns", "SNS"),
    ("email", "SES"),
    ("email-smtp", "SES"),
    ("kms", "KMS"),
    ("ecr", "ECR"),
    ("api.ecr", "ECR"),
    ("dkr.ecr", "ECR"),
    ("logs", "CLOUDWATCH_LOGS"),
    ("monitoring", "CLOUDWATCH"),
    ("events", "EVENTBRIDGE"),
    ("sts", "STS"),
    ("secretsmanager", "SECRETS_MANAGER"),
    ("ssm", "SSM"),
    ("ssmmessages", "SSM"),
    ("ec2messages", "SSM"),
    ("ecs", "ECS"),
    ("ecs-agent", "ECS"),
    ("ecs-telemetry", "ECS"),
    ("lambda", "LAMBDA"),
    ("kinesis", "KINESIS"),
    ("firehose", "FIREHOSE"),
    ("execute-api", "API_GATEWAY"),
    ("states", "STEP_FUNCTIONS"),
    ("elasticloadbalancing", "ELB"),
    ("ec2", "EC2_API"),
    ("xray", "XRAY"),
    ("athena", "ATHENA"),
    ("glue", "GLUE"),
    ("rds", "RDS_API"),
    ("elasticache", "ELASTICACHE_API"),
    ("cognito-idp", "COGNITO"),
    ("bedrock-runtime", "BEDROCK"),
];

/// The AWS service a DNS name is an endpoint of, if it is one:
/// `*.amazonaws.com` (and `.com.cn`), `*.cloudfront.net`.
pub fn aws_service_of_name(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.ends_with(".cloudfront.net") {
        return Some("CLOUDFRONT");
    }
    let rest = name
        .strip_suffix(".amazonaws.com")
        .or_else(|| name.strip_suffix(".amazonaws.com.cn"))?;
    // Load balancers' own names are ours, not an AWS service endpoint.
    if rest.ends_with(".elb") || rest.contains(".elb.") {
        return None;
    }
    // `bucket.s3.region`, `s3.dualstack.region`, `s3-region` (legacy),
    // `vpce-….sqs.region.vpce` (endpoint-specific names).
    let rest = rest.strip_suffix(".vpce").unwrap_or(rest);
    let labels: Vec<&str> = rest.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        let two = (i + 1 < labels.len()).then(|| format!("{label}.{}", labels[i + 1]));
        for (prefix, service) in ENDPOINT_PREFIXES {
            if two.as_deref() == Some(*prefix) || label == prefix {
                return Some(service);
            }
        }
        if let Some(region) = label.strip_prefix("s3-")
            && region.contains('-')
        {
            return Some("S3");
        }
    }
    None
}

/// Whether a gateway VPC endpoint (free) can carry the service.
pub fn has_gateway_endpoint(service: &str) -> bool {
    matches!(service, "S3" | "DYNAMODB")
}

/// Whether an IP-ranges service name says which service an address is
/// (not only `AMAZON` or `EC2`, which cover every customer's instances).
pub fn is_specific_range(service: &str) -> bool {
    !matches!(service, "AMAZON" | "EC2" | "GLOBALACCELERATOR")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_endpoints() {
        for (name, service) in [
            ("sqs.ap-northeast-2.amazonaws.com", Some("SQS")),
            ("my-bucket.s3.ap-northeast-2.amazonaws.com", Some("S3")),
            ("s3.amazonaws.com", Some("S3")),
            ("my-bucket.s3-ap-northeast-2.amazonaws.com", Some("S3")),
            ("s3.dualstack.us-east-1.amazonaws.com", Some("S3")),
            ("dynamodb.us-east-1.amazonaws.com", Some("DYNAMODB")),
            ("email-smtp.ap-northeast-2.amazonaws.com", Some("SES")),
            ("kms.ap-northeast-2.amazonaws.com.", Some("KMS")),
            (
                "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com",
                Some("ECR"),
            ),
            ("api.ecr.ap-northeast-2.amazonaws.com", Some("ECR")),
            ("logs.ap-northeast-2.amazonaws.com", Some("CLOUDWATCH_LOGS")),
            (
                "vpce-0123-abcd.sqs.ap-northeast-2.vpce.amazonaws.com",
                Some("SQS"),
            ),
            ("d111111abcdef8.cloudfront.net", Some("CLOUDFRONT")),
            ("prod-web-123.ap-northeast-2.elb.amazonaws.com", None),
            ("api.stripe.com", None),
        ] {
            assert_eq!(aws_service_of_name(name), service, "{name}");
        }
    }
}

//! Load balancer ARNs: which load balancers may sign, in which partition and region, and where
//! that region publishes their public keys.

use crate::error::ConfigError;
use crate::partition;

/// A load balancer allowed to sign: `arn:{partition}:elasticloadbalancing:{region}:{account}:
/// loadbalancer/app/{name}/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoadBalancer {
    pub(crate) arn: Box<str>,
    pub(crate) partition: Box<str>,
    pub(crate) region: Box<str>,
}

impl LoadBalancer {
    /// Reads an Application Load Balancer's ARN.
    pub(crate) fn parse(arn: &str) -> Result<Self, ConfigError> {
        let refused = |why: &'static str| ConfigError::new("signer", why);
        let mut parts = arn.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return Err(refused(
                "not an ARN (arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id})",
            ));
        };
        if !is_partition(partition) {
            return Err(refused(
                "the partition is not an AWS partition (aws, aws-us-gov, aws-cn, …)",
            ));
        }
        if service != "elasticloadbalancing" {
            return Err(refused("not an Elastic Load Balancing ARN"));
        }
        if !is_region(region) {
            return Err(refused(
                "the region is not a region name (eu-west-1, us-gov-west-1, …)",
            ));
        }
        if partition::of_region(region).name != partition {
            return Err(refused("the partition is not the region's"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refused("the account is not 12 digits"));
        }
        let Some(name_and_id) = resource.strip_prefix("loadbalancer/app/") else {
            return Err(refused(
                "not an Application Load Balancer (loadbalancer/app/…)",
            ));
        };
        let mut segments = name_and_id.split('/');
        let (Some(name), Some(id), None) = (segments.next(), segments.next(), segments.next())
        else {
            return Err(refused("the load balancer is not named as {name}/{id}"));
        };
        if name.is_empty()
            || id.is_empty()
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || !id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(refused(
                "the load balancer's name or id has characters ARNs do not",
            ));
        }
        Ok(LoadBalancer {
            arn: arn.into(),
            partition: partition.into(),
            region: region.into(),
        })
    }
}

/// Where the load balancers of `partition` in `region` publish their signing keys, one PEM file
/// per key id below it; `None` for a partition without a known endpoint (set it explicitly).
pub(crate) fn key_endpoint(partition: &str, region: &str) -> Option<String> {
    match partition {
        "aws" => Some(format!(
            "https://public-keys.auth.elb.{region}.amazonaws.com"
        )),
        // GovCloud publishes the keys in a bucket per region.
        "aws-us-gov" => Some(format!(
            "https://s3-{region}.amazonaws.com/aws-elb-public-keys-prod-{region}"
        )),
        _ => None,
    }
}

/// `aws`, or `aws-` followed by lowercase words (`aws-cn`, `aws-us-gov`, `aws-iso-b`, …).
fn is_partition(partition: &str) -> bool {
    partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        })
}

/// Lowercase words and a number, joined by dashes: `eu-west-1`, `us-gov-west-1`,
/// `eusc-de-east-1`.
pub(crate) fn is_region(region: &str) -> bool {
    let words: Vec<&str> = region.split('-').collect();
    let Some((number, names)) = words.split_last() else {
        return false;
    };
    names.len() >= 2
        && names
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";

    #[test]
    fn an_application_load_balancer_arn_gives_partition_and_region() {
        let lb = LoadBalancer::parse(ARN).unwrap();
        assert_eq!(&*lb.partition, "aws");
        assert_eq!(&*lb.region, "eu-west-1");
        let gov = LoadBalancer::parse(
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/a/1f",
        )
        .unwrap();
        assert_eq!(&*gov.partition, "aws-us-gov");
        assert_eq!(&*gov.region, "us-gov-west-1");
    }

    #[test]
    fn anything_but_an_application_load_balancer_arn_is_refused() {
        for arn in [
            "",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:eu-west-1:1234:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:EU-WEST-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:gcp:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc/extra",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/../50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/a/1f",
            "arn:aws-cn:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/a/1f",
        ] {
            assert!(LoadBalancer::parse(arn).is_err(), "{arn}");
        }
    }

    #[test]
    fn key_endpoints_of_the_commercial_and_govcloud_partitions() {
        assert_eq!(
            key_endpoint("aws", "eu-west-1").as_deref(),
            Some("https://public-keys.auth.elb.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            key_endpoint("aws-us-gov", "us-gov-east-1").as_deref(),
            Some("https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1")
        );
        assert_eq!(key_endpoint("aws-cn", "cn-north-1"), None);
    }
}

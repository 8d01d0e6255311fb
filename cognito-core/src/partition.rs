//! AWS partitions: the DNS suffix of a region's service endpoints.
//!
//! Regions belong to partitions by their names, as the AWS SDKs' partition table says:
//! `cn-*` is China (`amazonaws.com.cn`), `eusc-*` the European Sovereign Cloud
//! (`amazonaws.eu`), `us-gov-*` GovCloud (`amazonaws.com`), the isolated partitions their own,
//! and every other region the commercial partition (`amazonaws.com`). URLs derived from a
//! region use this suffix; anything newer can be set explicitly (`UserPool::issuer`,
//! `UserPool::jwks_url`, `Alb::key_endpoint`).

/// One AWS partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Partition {
    /// The partition's name in ARNs: `aws`, `aws-cn`, `aws-us-gov`, …
    pub(crate) name: &'static str,
    /// The DNS suffix of its service endpoints.
    pub(crate) dns_suffix: &'static str,
}

/// Region-name prefixes of the partitions other than `aws`, the most specific first.
const PARTITIONS: [(&str, Partition); 7] = [
    (
        "cn-",
        Partition {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
        },
    ),
    (
        "eusc-",
        Partition {
            name: "aws-eusc",
            dns_suffix: "amazonaws.eu",
        },
    ),
    (
        "us-gov-",
        Partition {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
        },
    ),
    (
        "us-isob-",
        Partition {
            name: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
        },
    ),
    (
        "us-isof-",
        Partition {
            name: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
        },
    ),
    (
        "us-iso-",
        Partition {
            name: "aws-iso",
            dns_suffix: "c2s.ic.gov",
        },
    ),
    (
        "eu-isoe-",
        Partition {
            name: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
        },
    ),
];

const COMMERCIAL: Partition = Partition {
    name: "aws",
    dns_suffix: "amazonaws.com",
};

/// The partition of `region`.
pub(crate) fn of_region(region: &str) -> Partition {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or(COMMERCIAL, |(_, partition)| *partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_fall_into_their_partitions() {
        for (region, name, suffix) in [
            ("eu-west-1", "aws", "amazonaws.com"),
            ("us-east-1", "aws", "amazonaws.com"),
            ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
            ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
            ("eusc-de-east-1", "aws-eusc", "amazonaws.eu"),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
            ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
            ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
            ("us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov"),
            ("eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"),
        ] {
            let partition = of_region(region);
            assert_eq!(
                (partition.name, partition.dns_suffix),
                (name, suffix),
                "{region}"
            );
        }
    }
}

//! The `methodArn` (REST) and `routeArn` (HTTP API) of an authorizer event:
//! `arn:{partition}:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`.

/// A request's ARN split into the part every policy resource shares and the route part.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MethodArn<'a> {
    /// `arn:aws:execute-api:eu-west-1:123456789012:abcdef123/prod/`
    pub(crate) prefix: &'a str,
    /// `GET/orders/17`
    pub(crate) tail: &'a str,
}

/// The longest ARN read, in bytes (a request path is at most a few kilobytes).
const MAX_ARN_LEN: usize = 16 * 1024;

impl<'a> MethodArn<'a> {
    /// Reads an `execute-api` ARN. The prefix goes into policies as it is, so it may hold no
    /// wildcard, except a stage of `*` (API Gateway's console test sends one), which is then a
    /// wildcard of every resource alike.
    pub(crate) fn parse(arn: &'a str) -> Option<MethodArn<'a>> {
        if arn.len() > MAX_ARN_LEN || !arn.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let mut fields = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("execute-api"), Some(region), Some(account)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        let resource = fields.next()?;
        let plain = |s: &str| !s.is_empty() && !s.contains(['*', '?', '/']);
        if !partition.starts_with("aws") || !plain(partition) || !plain(region) {
            return None;
        }
        if !account.bytes().all(|b| b.is_ascii_digit()) || account.is_empty() {
            return None;
        }
        let mut parts = resource.splitn(4, '/');
        let (Some(api), Some(stage), Some(method), Some(_path)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if !plain(api) || !(stage == "*" || plain(stage)) {
            return None;
        }
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let prefix_len = arn.len() - resource.len() + api.len() + stage.len() + 2;
        let (prefix, tail) = arn.split_at(prefix_len);
        Some(MethodArn { prefix, tail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_method_arn_splits_into_prefix_and_route() {
        let arn = MethodArn::parse(
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/orders/17",
        )
        .unwrap();
        assert_eq!(
            arn.prefix,
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/"
        );
        assert_eq!(arn.tail, "GET/orders/17");
    }

    #[test]
    fn root_resource_has_an_empty_path() {
        let arn = MethodArn::parse("arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/")
            .unwrap();
        assert_eq!(
            arn.prefix,
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/"
        );
        assert_eq!(arn.tail, "GET/");
    }

    #[test]
    fn default_stage_and_other_partitions_are_read() {
        let arn = MethodArn::parse(
            "arn:aws-cn:execute-api:cn-north-1:123456789012:api/$default/POST/a/b",
        )
        .unwrap();
        assert_eq!(arn.tail, "POST/a/b");
    }

    #[test]
    fn malformed_method_arns_are_refused() {
        for bad in [
            "",
            "arn",
            "arn:aws:execute-api:us-east-1:123456789012",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET",
            "arn:aws:lambda:us-east-1:123456789012:abcdef123/test/GET/",
            "arn:aws:execute-api:us-east-1:*:abcdef123/test/GET/",
            "arn:aws:execute-api:*:123456789012:abcdef123/test/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:*/test/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abc/te*st/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*/",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/get/",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/a b",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123//GET/",
            "arn:other:execute-api:us-east-1:123456789012:abcdef123/test/GET/",
            "arn:aws:execute-api:us-east-1:12345678901x:abcdef123/test/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/é",
        ] {
            assert_eq!(MethodArn::parse(bad), None, "{bad}");
        }
    }
}

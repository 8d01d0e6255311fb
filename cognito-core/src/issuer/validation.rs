//! Checks on configured URLs and audiences, shared by user pools and OIDC issuers.

use std::net::IpAddr;

use crate::error::ConfigError;

pub(super) fn validate_audience(field: &'static str, audience: &str) -> Result<(), ConfigError> {
    if audience.is_empty() || audience.len() > 1024 || audience.chars().any(char::is_control) {
        return Err(ConfigError::new(
            field,
            "must be 1 to 1024 characters without control characters",
        ));
    }
    Ok(())
}

/// An absolute https URL, or http when the host is loopback or `allow_http` is set.
pub(crate) fn validate_url(
    field: &'static str,
    url: &str,
    allow_http: bool,
) -> Result<(), ConfigError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| ConfigError::new(field, "not an absolute URL"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| ConfigError::new(field, "the URL has no host"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ConfigError::new(
            field,
            "credentials in the URL are not allowed",
        ));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(host) => Ok(()),
        "http" => Err(ConfigError::new(
            field,
            "plain http is only allowed for loopback hosts; call `dangerous_allow_http()` first \
             to allow it elsewhere",
        )),
        _ => Err(ConfigError::new(field, "the URL must be https")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

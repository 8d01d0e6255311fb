use super::*;

#[test]
fn pool_id_derives_region_issuer_and_jwks_url() {
    let pool = UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("abc")
        .unwrap()
        .any_token_use();
    assert_eq!(pool.region(), "eu-west-1");
    let spec = pool.into_spec();
    assert_eq!(
        spec.accepted_iss,
        ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"]
    );
    match spec.keys {
        KeySource::Url(url) => assert_eq!(
            url,
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
        ),
        KeySource::Static(_) => panic!("expected a URL"),
    }
}

#[test]
fn malformed_pool_ids_name_the_pool_id_field() {
    for bad in [
        "",
        "eu-west-1",
        "_abc",
        "eu-west-1_",
        "eu-west-1_ab/c",
        "EU-WEST-1_abc",
        "evil.com/x_abc",
        "eu west_abc",
        "-eu_abc",
    ] {
        let err = UserPool::new(bad).unwrap_err();
        assert_eq!(err.field(), "pool_id", "{bad}");
    }
    assert!(UserPool::new("us-gov-west-1_abc123").is_ok());
    // The emulators' pool ids: moto's long hex suffix, cognito-local's `local` region.
    assert!(UserPool::new("us-east-1_0123456789abcdef0123456789abcdef").is_ok());
    assert!(UserPool::new("local_4ZZ0rDyd").is_ok());
}

#[test]
fn updated_issuer_is_accepted_only_when_opted_in() {
    let pool = UserPool::new("us-east-1_abc")
        .unwrap()
        .any_client()
        .any_token_use();
    assert_eq!(pool.clone().into_spec().accepted_iss.len(), 1);
    let spec = pool.accept_updated_issuer().into_spec();
    assert_eq!(
        spec.accepted_iss[1],
        "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
    );
}

#[test]
fn plain_http_is_refused_unless_loopback_or_opted_in() {
    let pool = UserPool::new("us-east-1_abc").unwrap();
    let err = pool
        .clone()
        .jwks_url("http://keys.example.com/jwks")
        .unwrap_err();
    assert_eq!(err.field(), "jwks_url");
    assert!(pool.clone().jwks_url("http://127.0.0.1:9/jwks").is_ok());
    assert!(pool.clone().jwks_url("http://[::1]:9/jwks").is_ok());
    assert!(pool.clone().issuer("http://localhost:9229/p").is_ok());
    assert_eq!(
        pool.clone()
            .issuer("http://emulator:9229/p")
            .unwrap_err()
            .field(),
        "issuer"
    );
    assert!(
        pool.clone()
            .dangerous_allow_http()
            .jwks_url("http://emulator:9229/jwks")
            .is_ok()
    );
    assert_eq!(pool.jwks_url("ftp://x/y").unwrap_err().field(), "jwks_url");
    assert!(OidcIssuer::new("http://idp.example.com").is_err());
    assert!(OidcIssuer::dangerous_new_over_http("http://idp.example.com").is_ok());
}

#[test]
fn client_ids_are_validated() {
    let pool = UserPool::new("us-east-1_abc").unwrap();
    assert_eq!(pool.clone().client_id("").unwrap_err().field(), "client_id");
    assert_eq!(
        pool.clone().client_id("a b").unwrap_err().field(),
        "client_id"
    );
    assert!(pool.client_id("4h5j6k+_x").is_ok());
}

#[test]
fn issuer_override_moves_the_default_jwks_url() {
    let spec = UserPool::new("us-east-1_abc")
        .unwrap()
        .issuer("http://127.0.0.1:9229/us-east-1_abc/")
        .unwrap()
        .any_client()
        .any_token_use()
        .into_spec();
    assert_eq!(spec.accepted_iss, ["http://127.0.0.1:9229/us-east-1_abc/"]);
    assert!(matches!(spec.keys,
        KeySource::Url(u) if u == "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"));
}

#[test]
fn china_sovereign_cloud_and_govcloud_pools_derive_their_partitions_urls() {
    for (pool_id, host) in [
        (
            "cn-north-1_AbCdEf123",
            "cognito-idp.cn-north-1.amazonaws.com.cn",
        ),
        (
            "cn-northwest-1_AbCdEf123",
            "cognito-idp.cn-northwest-1.amazonaws.com.cn",
        ),
        (
            "eusc-de-east-1_AbCdEf123",
            "cognito-idp.eusc-de-east-1.amazonaws.eu",
        ),
        (
            "us-gov-west-1_AbCdEf123",
            "cognito-idp.us-gov-west-1.amazonaws.com",
        ),
        ("eu-west-1_AbCdEf123", "cognito-idp.eu-west-1.amazonaws.com"),
    ] {
        let pool = UserPool::new(pool_id).unwrap().any_client().any_token_use();
        let spec = pool.clone().accept_updated_issuer().into_spec();
        assert_eq!(spec.accepted_iss[0], format!("https://{host}/{pool_id}"));
        assert_eq!(
            spec.accepted_iss[1],
            format!("https://issuer-{host}/{pool_id}"),
        );
        assert_eq!(&*spec.login_provider, format!("{host}/{pool_id}"));
        match &spec.keys {
            super::KeySource::Url(url) => {
                assert_eq!(
                    *url,
                    format!("https://{host}/{pool_id}/.well-known/jwks.json")
                );
            }
            super::KeySource::Static(_) => panic!("a derived pool fetches its keys"),
        }
    }
}

//! One test per rule of DESIGN §4 on whom a token is from and for (issuer, token use, app
//! client, resource audiences, other OIDC issuers), against the local test issuer.
#![cfg(feature = "test-util")]

use cognito_core::test_util::LocalIssuer;
use cognito_core::{ErrorKind, OidcIssuer, TokenUse, UserPool, Verifier};
use serde_json::json;

fn issuer() -> LocalIssuer {
    LocalIssuer::start().expect("local issuer")
}

fn verifier(issuer: &LocalIssuer) -> Verifier {
    Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .expect("verifier")
}

async fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify(token).await {
        Ok(claims) => panic!("token verified: {claims:?}"),
        Err(e) => e.kind().clone(),
    }
}

// ---- issuer ----------------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_issuer_is_refused_without_network_io() {
    let issuer = issuer();
    let token = issuer.id_token().wrong_issuer().sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnknownIssuer
    );
    let url_issuer = issuer.id_token().claim("iss", issuer.jwks_url()).sign();
    assert_eq!(
        kind(&verifier(&issuer), &url_issuer).await,
        ErrorKind::UnknownIssuer
    );
    assert_eq!(issuer.jwks_requests(), 0, "an unknown iss caused a fetch");
}

#[tokio::test]
async fn issuer_comparison_is_exact() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    for iss in [
        format!("{}/", issuer.issuer()),
        issuer.issuer().to_uppercase(),
        issuer.issuer().replace("https://", "http://"),
    ] {
        let token = issuer.id_token().claim("iss", iss.as_str()).sign();
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnknownIssuer,
            "{iss}"
        );
    }
}

#[tokio::test]
async fn updated_issuer_form_is_accepted_only_when_opted_in() {
    let issuer = issuer();
    let updated = issuer
        .issuer()
        .replace("cognito-idp.", "issuer-cognito-idp.");
    let token = issuer.id_token().claim("iss", updated.as_str()).sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnknownIssuer
    );
    let opted_in = Verifier::from(issuer.user_pool().accept_updated_issuer());
    assert_eq!(opted_in.verify(&token).await.unwrap().issuer(), updated);
}

#[tokio::test]
async fn several_pools_each_verify_their_own_tokens() {
    let a = issuer();
    let b = LocalIssuer::builder()
        .pool_id("eu-west-1_SecondPool")
        .client_id("secondclient")
        .start()
        .unwrap();
    let verifier = Verifier::builder()
        .pool(a.user_pool())
        .pool(b.user_pool())
        .build()
        .unwrap();
    assert_eq!(
        verifier
            .verify(&a.id_token().sign())
            .await
            .unwrap()
            .issuer(),
        a.issuer()
    );
    assert_eq!(
        verifier
            .verify(&b.id_token().sign())
            .await
            .unwrap()
            .issuer(),
        b.issuer()
    );
    // b's client is not a's client: a token of pool a for b's client is refused.
    let crossed = a.id_token().client_id("secondclient").sign();
    assert_eq!(kind(&verifier, &crossed).await, ErrorKind::WrongClient);
}

// ---- token use and client --------------------------------------------------------------------------

#[tokio::test]
async fn id_token_where_access_required_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().token_use(TokenUse::Access));
    assert_eq!(
        kind(&verifier, &issuer.id_token().sign()).await,
        ErrorKind::WrongTokenUse
    );
    assert!(verifier.verify(&issuer.access_token().sign()).await.is_ok());
}

#[tokio::test]
async fn access_token_where_id_required_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().token_use(TokenUse::Id));
    assert_eq!(
        kind(&verifier, &issuer.access_token().sign()).await,
        ErrorKind::WrongTokenUse
    );
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[tokio::test]
async fn missing_token_use_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().without_claim("token_use").sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::InvalidTokenUse
    );
}

#[tokio::test]
async fn token_use_other_than_id_or_access_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().any_client());
    for token_use in [
        json!("refresh"),
        json!("ID"),
        json!(""),
        json!(1),
        json!(["id"]),
    ] {
        let token = issuer
            .id_token()
            .claim("token_use", token_use.clone())
            .sign();
        let err = kind(&verifier, &token).await;
        assert!(
            matches!(
                err,
                ErrorKind::InvalidTokenUse | ErrorKind::InvalidClaim("token_use")
            ),
            "{token_use}: {err:?}"
        );
    }
}

#[tokio::test]
async fn wrong_client_id_is_refused() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let id = issuer.id_token().client_id("someoneelse").sign();
    assert_eq!(kind(&verifier, &id).await, ErrorKind::WrongClient);
    let access = issuer.access_token().client_id("someoneelse").sign();
    assert_eq!(kind(&verifier, &access).await, ErrorKind::WrongClient);
}

#[tokio::test]
async fn access_token_is_checked_on_client_id_not_aud() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    // A resource-bound access token: `aud` names an API, `client_id` the client.
    let bound = issuer
        .access_token()
        .claim("aud", "https://api.example.com")
        .sign();
    assert!(verifier.verify(&bound).await.is_ok());
    // `aud` naming the client does not stand in for a foreign `client_id`.
    let foreign = issuer
        .access_token()
        .client_id("someoneelse")
        .claim("aud", issuer.client_id())
        .sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    let missing = issuer.access_token().without_claim("client_id").sign();
    assert_eq!(
        kind(&verifier, &missing).await,
        ErrorKind::MissingClaim("client_id")
    );
}

#[tokio::test]
async fn resource_audience_requires_access_tokens_bound_to_this_api() {
    let issuer = issuer();
    let api = "https://api.example.com";
    let pool = issuer.user_pool().resource_audience(api).unwrap();
    let verifier = Verifier::builder().pool(pool).no_cache().build().unwrap();

    let bound = issuer.access_token().claim("aud", api).sign();
    assert!(verifier.verify(&bound).await.is_ok());
    let elsewhere = issuer
        .access_token()
        .claim("aud", "https://other.example.com")
        .sign();
    assert_eq!(kind(&verifier, &elsewhere).await, ErrorKind::WrongAudience);
    // An `aud` naming the app client (a pre-token-generation trigger may add one) is no binding.
    let client = issuer
        .access_token()
        .claim("aud", issuer.client_id())
        .sign();
    assert_eq!(kind(&verifier, &client).await, ErrorKind::WrongAudience);
    let unbound = issuer.access_token().sign();
    assert_eq!(
        kind(&verifier, &unbound).await,
        ErrorKind::MissingClaim("aud")
    );
    // The client check still comes first.
    let foreign = issuer
        .access_token()
        .client_id("someoneelse")
        .claim("aud", api)
        .sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    assert_eq!(
        verifier.verify(&elsewhere).await.unwrap_err().status(),
        401,
        "invalid_token"
    );
}

#[tokio::test]
async fn resource_audience_accepts_any_configured_api_and_leaves_id_tokens_alone() {
    let issuer = issuer();
    let pool = issuer
        .user_pool()
        .resource_audience("https://a.example.com")
        .unwrap()
        .resource_audience("https://b.example.com")
        .unwrap();
    let verifier = Verifier::builder().pool(pool).no_cache().build().unwrap();
    for api in ["https://a.example.com", "https://b.example.com"] {
        let token = issuer.access_token().claim("aud", api).sign();
        assert!(verifier.verify(&token).await.is_ok(), "{api}");
    }
    // An ID token's `aud` is its app client, whatever resources the pool binds.
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[test]
fn resource_audience_must_be_a_plausible_value() {
    let pool = || UserPool::new("eu-west-1_AbCdEf123").unwrap();
    for bad in ["", "https://api.example.com\n", &"a".repeat(1025)] {
        let error = pool().resource_audience(bad).unwrap_err();
        assert_eq!(error.field(), "resource_audience", "{bad:?}");
    }
}

#[tokio::test]
async fn aud_array_on_an_id_token_is_refused() {
    let issuer = issuer();
    let token = issuer
        .id_token()
        .claim("aud", json!([issuer.client_id(), "other"]))
        .sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::InvalidClaim("aud")
    );
}

#[tokio::test]
async fn any_client_is_an_explicit_opt_out() {
    let issuer = issuer();
    let open = Verifier::from(issuer.user_pool().any_client());
    let token = issuer.id_token().client_id("anyotherclient").sign();
    assert!(open.verify(&token).await.is_ok());
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::WrongClient
    );
}

#[tokio::test]
async fn client_id_after_any_client_restores_the_client_check() {
    let issuer = issuer();
    let pool = issuer
        .user_pool()
        .any_client()
        .client_id(issuer.client_id())
        .unwrap();
    let verifier = Verifier::from(pool);
    let foreign = issuer.id_token().client_id("anyotherclient").sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());

    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .any_audience()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let foreign = issuer.id_token().claim("aud", "other-api").sign();
    assert_eq!(
        kind(&Verifier::from(oidc), &foreign).await,
        ErrorKind::WrongClient
    );
}

#[tokio::test]
async fn missing_sub_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().without_claim("sub").sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::MissingClaim("sub")
    );
}

// ---- generic OIDC issuers ---------------------------------------------------------------------------

#[tokio::test]
async fn oidc_issuer_checks_audience_in_string_or_array() {
    let issuer = issuer();
    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let verifier = Verifier::from(oidc);
    let as_string = issuer
        .id_token()
        .claim("aud", "my-api")
        .without_claim("token_use")
        .sign();
    let claims = verifier.verify(&as_string).await.unwrap();
    assert_eq!(claims.token_use(), None);
    let as_array = issuer
        .id_token()
        .claim("aud", json!(["other", "my-api"]))
        .sign();
    assert!(verifier.verify(&as_array).await.is_ok());
    let foreign = issuer.id_token().claim("aud", json!(["other"])).sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    let none = issuer.id_token().without_claim("aud").sign();
    assert_eq!(kind(&verifier, &none).await, ErrorKind::MissingClaim("aud"));
}

#[tokio::test]
async fn oidc_token_use_claim_is_unchecked_so_it_satisfies_no_token_use_rule() {
    let issuer = issuer();
    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let verifier = Verifier::from(oidc);
    let token = issuer
        .access_token()
        .claim("aud", "my-api")
        .claim("client_id", "anything")
        .sign();
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.token_use(), None);
    assert!(!cognito_core::Require::token_use(TokenUse::Access).holds(&claims));
}

use super::*;

#[test]
fn classes_map_to_the_design_status_table() {
    assert_eq!(Error::missing_token().status(), 401);
    assert_eq!(Error::new(ErrorKind::Expired).status(), 401);
    assert_eq!(Error::new(ErrorKind::WrongTokenUse).status(), 401);
    assert_eq!(Error::new(ErrorKind::KeysUnavailable).status(), 503);
    assert_eq!(Error::misconfigured("x").status(), 500);
    assert_eq!(Error::new(ErrorKind::ClaimsType).status(), 500);
}

#[test]
fn missing_token_challenge_has_no_error_code() {
    let challenge = Error::missing_token().www_authenticate("api").unwrap();
    assert_eq!(challenge, "Bearer realm=\"api\"");
}

#[test]
fn invalid_token_challenge_names_error_and_fixed_description() {
    let challenge = Error::new(ErrorKind::Expired)
        .www_authenticate("api")
        .unwrap();
    assert_eq!(
        challenge,
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has expired\""
    );
}

#[test]
fn challenge_values_stay_well_formed_whatever_the_text() {
    let err = Error::new(ErrorKind::CheckFailed(
        "tenant \"acme\" \\ blocked é".into(),
    ));
    let challenge = err.www_authenticate("my \"realm\"").unwrap();
    assert_eq!(
        challenge,
        "Bearer realm=\"my 'realm'\", error=\"invalid_token\", \
         error_description=\"tenant 'acme' / blocked ?\""
    );
}

#[test]
fn identity_pool_refusals_are_403_and_outages_503_without_challenges() {
    for kind in [ErrorKind::IdTokenRequired, ErrorKind::CredentialsRefused] {
        let err = Error::new(kind);
        assert_eq!(err.status(), 403);
        assert_eq!(err.www_authenticate("api"), None);
        assert_eq!(err.retry_after(), None);
    }
    let err = Error::new(ErrorKind::CredentialsUnavailable);
    assert_eq!(err.status(), 503);
    assert_eq!(err.www_authenticate("api"), None);
    assert!(err.retry_after().is_some());
}

#[test]
fn keys_unavailable_has_retry_after_and_no_challenge() {
    let err = Error::new(ErrorKind::KeysUnavailable);
    assert_eq!(err.www_authenticate("api"), None);
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(RETRY_AFTER_SECS))
    );
    assert_eq!(Error::new(ErrorKind::Expired).retry_after(), None);
}

//! The table: one row per request, with the answer every framework's app must give to it.
//!
//! A row names the app configuration that serves it ([`App`]), the path, the bearer token sent
//! ([`Bearer`]) and the answer expected ([`Expect`]). [`CASES`] runs against every framework and
//! both emulators; the rows of tokens that really expire ([`FRESH`], [`EXPIRED`],
//! [`REFRESHED`]) run against cognito-local alone, the only emulator whose tokens do.

use cognito_core::TokenUse::{self, Access, Id};

use App::{AccessOnly, Main, SecondClient};
use Holder::{Alice, AliceOfOtherPool, AliceOfSecondClient, AliceRefreshed, Bob};

/// In the group `admin`, department `eng`.
pub(crate) const ALICE: &str = "alice";
/// In no group, no department.
pub(crate) const BOB: &str = "bob";
/// The scope of every token a user-pool sign-in gives.
pub(crate) const SIGNIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The configuration of the app that serves a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// Accepts the pool's first app client, tokens of either use.
    Main,
    /// As [`Main`](Self::Main), for access tokens only.
    AccessOnly,
    /// Accepts the pool's second app client only, tokens of either use.
    SecondClient,
}

impl App {
    pub(crate) const ALL: [App; 3] = [App::Main, App::AccessOnly, App::SecondClient];
}

/// Whose tokens a row sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Holder {
    /// Alice, signed in through the first app client.
    Alice,
    /// Bob, signed in through the first app client.
    Bob,
    /// Alice, signed in through the pool's second app client.
    AliceOfSecondClient,
    /// A user `alice` of another pool on the same emulator.
    AliceOfOtherPool,
    /// Alice's tokens from a refresh (after her first ones expired).
    AliceRefreshed,
}

/// A change to a genuine token's claims that keeps its signature.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Forgery {
    /// `cognito:groups` becomes `["admin"]`.
    JoinAdminGroup,
    /// `cognito:username` becomes alice's.
    ClaimToBeAlice,
}

/// The `Authorization: Bearer` token a row sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bearer {
    /// No `Authorization` header.
    None,
    /// The holder's genuine token of this use.
    Genuine(Holder, TokenUse),
    /// The holder's token of this use with its claims changed.
    Forged(Holder, TokenUse, Forgery),
}

/// The pool's app client a token was issued to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Client {
    First,
    Second,
}

/// The answer a row expects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect {
    /// 200 and `/me`'s JSON: the user's `sub` and name, these groups and department, and the
    /// use of the token sent.
    Me {
        user: &'static str,
        groups: &'static [&'static str],
        department: Option<&'static str>,
        token_use: TokenUse,
    },
    /// 200 and `/access`'s JSON for alice's access token of this app client.
    AccessOf(Client),
    /// 200 and exactly this text.
    Text(&'static str),
    /// 401 with the bare challenge `Bearer realm="api"` and the body `no bearer token`.
    NoToken,
    /// 401 `invalid_token` with this description in the challenge and the body.
    InvalidToken(&'static str),
    /// 403 `insufficient_scope` for a missing group, with this description in the challenge
    /// and the body, and no `scope=` in the challenge.
    MissingGroup(&'static str),
}

/// One request and the answer to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case {
    /// The behaviour the row holds the app to, for messages.
    pub(crate) says: &'static str,
    pub(crate) app: App,
    pub(crate) path: &'static str,
    pub(crate) bearer: Bearer,
    pub(crate) expect: Expect,
}

pub(crate) const fn case(
    says: &'static str,
    app: App,
    path: &'static str,
    bearer: Bearer,
    expect: Expect,
) -> Case {
    Case {
        says,
        app,
        path,
        bearer,
        expect,
    }
}

pub(crate) const fn genuine(holder: Holder, token_use: TokenUse) -> Bearer {
    Bearer::Genuine(holder, token_use)
}

const ALICE_ME_ID: Expect = Expect::Me {
    user: ALICE,
    groups: &["admin"],
    department: Some("eng"),
    token_use: Id,
};
/// Neither emulator puts custom attributes into access tokens.
const ALICE_ME_ACCESS: Expect = Expect::Me {
    user: ALICE,
    groups: &["admin"],
    department: None,
    token_use: Access,
};
/// No `cognito:groups` claim, no department.
const BOB_ME_ID: Expect = Expect::Me {
    user: BOB,
    groups: &[],
    department: None,
    token_use: Id,
};

pub(crate) const BAD_SIGNATURE: Expect = Expect::InvalidToken("the token signature is invalid");
const WRONG_CLIENT: Expect = Expect::InvalidToken("the token was issued to another client");
const UNKNOWN_ISSUER: Expect = Expect::InvalidToken("the token issuer is not accepted");
pub(crate) const WRONG_USE: Expect = Expect::InvalidToken("the token use is not accepted here");
pub(crate) const NOT_ADMIN: Expect = Expect::MissingGroup("requires group admin");
pub(crate) const TOKEN_EXPIRED: Expect = Expect::InvalidToken("the token has expired");

#[rustfmt::skip]
pub(crate) const CASES: &[Case] = &[
    // Valid tokens reach the handlers.
    case("an ID token gives /me its claims, custom attribute included", Main, "/me", genuine(Alice, Id), ALICE_ME_ID),
    case("an access token names the same user, without custom attributes", Main, "/me", genuine(Alice, Access), ALICE_ME_ACCESS),
    case("a user in no group has no groups and no department", Main, "/me", genuine(Bob, Id), BOB_ME_ID),
    case("a group member's ID token passes the group requirement", Main, "/admin", genuine(Alice, Id), Expect::Text("admin area: alice")),
    case("a group member's access token passes the group requirement", Main, "/admin", genuine(Alice, Access), Expect::Text("admin area: alice")),
    case("an access token reaches the access-token extractor", Main, "/access", genuine(Alice, Access), Expect::AccessOf(Client::First)),
    case("no token at all gets a bare challenge", Main, "/me", Bearer::None, Expect::NoToken),
    // Users outside the group are forbidden there, and only there.
    case("an ID token outside the group is forbidden, naming the group", Main, "/admin", genuine(Bob, Id), NOT_ADMIN),
    case("an access token outside the group is forbidden, naming the group", Main, "/admin", genuine(Bob, Access), NOT_ADMIN),
    // Tampered tokens are refused on their signature.
    case("an ID token given the admin group is refused", Main, "/admin", Bearer::Forged(Bob, Id, Forgery::JoinAdminGroup), BAD_SIGNATURE),
    case("an access token given the admin group is refused", Main, "/access", Bearer::Forged(Bob, Access, Forgery::JoinAdminGroup), BAD_SIGNATURE),
    case("an ID token given another user's name is refused", Main, "/me", Bearer::Forged(Bob, Id, Forgery::ClaimToBeAlice), BAD_SIGNATURE),
    // Tokens of another app client are refused; an app accepting that client takes them.
    case("another client's ID token is refused on /me", Main, "/me", genuine(AliceOfSecondClient, Id), WRONG_CLIENT),
    case("another client's access token is refused on /me", Main, "/me", genuine(AliceOfSecondClient, Access), WRONG_CLIENT),
    case("another client's ID token is refused on /admin", Main, "/admin", genuine(AliceOfSecondClient, Id), WRONG_CLIENT),
    case("another client's access token is refused on /access", Main, "/access", genuine(AliceOfSecondClient, Access), WRONG_CLIENT),
    case("an app of the second client takes its ID token", SecondClient, "/me", genuine(AliceOfSecondClient, Id), ALICE_ME_ID),
    case("an app of the second client takes its access token", SecondClient, "/access", genuine(AliceOfSecondClient, Access), Expect::AccessOf(Client::Second)),
    // Tokens of another pool, signed with the same key by both emulators, are refused on their issuer.
    case("another pool's ID token is refused on /me", Main, "/me", genuine(AliceOfOtherPool, Id), UNKNOWN_ISSUER),
    case("another pool's access token is refused on /me", Main, "/me", genuine(AliceOfOtherPool, Access), UNKNOWN_ISSUER),
    case("another pool's ID token is refused on /admin", Main, "/admin", genuine(AliceOfOtherPool, Id), UNKNOWN_ISSUER),
    case("another pool's access token is refused on /access", Main, "/access", genuine(AliceOfOtherPool, Access), UNKNOWN_ISSUER),
    // Tokens of the wrong use.
    case("the access-token extractor refuses a verified ID token", Main, "/access", genuine(Alice, Id), Expect::InvalidToken("requires access token")),
    case("an access-only pool refuses an ID token on /me", AccessOnly, "/me", genuine(Alice, Id), WRONG_USE),
    case("an access-only pool refuses an ID token on /admin", AccessOnly, "/admin", genuine(Alice, Id), WRONG_USE),
    case("an access-only pool refuses an ID token on /access", AccessOnly, "/access", genuine(Alice, Id), WRONG_USE),
    case("an access-only pool takes an access token on /me", AccessOnly, "/me", genuine(Alice, Access), ALICE_ME_ACCESS),
    case("an access-only pool takes an access token on /access", AccessOnly, "/access", genuine(Alice, Access), Expect::AccessOf(Client::First)),
];

/// cognito-local, right after the sign-in of a pool whose tokens last a few seconds.
#[rustfmt::skip]
pub(crate) const FRESH: &[Case] = &[
    case("a short-lived ID token is taken while valid", Main, "/me", genuine(Alice, Id), ALICE_ME_ID),
    case("a short-lived access token is taken while valid", Main, "/access", genuine(Alice, Access), Expect::AccessOf(Client::First)),
];

/// cognito-local, a second past the expiry of the tokens of [`FRESH`] (then in the verifier's
/// cache: a cache hit re-checks `exp`).
#[rustfmt::skip]
pub(crate) const EXPIRED: &[Case] = &[
    case("an expired ID token is refused on /me", Main, "/me", genuine(Alice, Id), TOKEN_EXPIRED),
    case("an expired ID token is refused on /admin", Main, "/admin", genuine(Alice, Id), TOKEN_EXPIRED),
    case("an expired access token is refused on /access", Main, "/access", genuine(Alice, Access), TOKEN_EXPIRED),
];

/// cognito-local, after the expired tokens' refresh token got a new pair.
#[rustfmt::skip]
pub(crate) const REFRESHED: &[Case] = &[
    case("a refreshed access token gets in again", Main, "/access", genuine(AliceRefreshed, Access), Expect::AccessOf(Client::First)),
];

//! The example API behind an Application Load Balancer (`behind_alb::app`), served on loopback
//! and called with the headers its demo load balancer and user pool mint: what the printed
//! instructions promise, and what a caller who goes around the load balancer gets.

use behind_alb::{Demo, app};
use cognito_integration_tests::{AxumServer, http_client};

struct Answer {
    status: u16,
    body: String,
}

async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = http_client().get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the request");
    let status = response.status().as_u16();
    Answer {
        status,
        body: response.text().await.expect("the body"),
    }
}

#[tokio::test]
async fn the_demo_instructions_hold_and_forged_headers_do_not_pass() {
    let demo = Demo::start().unwrap();
    let server = AxumServer::start(app(demo.verifier().unwrap())).await;
    let base = server.base();
    let signed_in = |(data, access): &(String, String)| {
        [
            ("x-amzn-oidc-data", data.clone()),
            ("x-amzn-oidc-accesstoken", access.clone()),
        ]
    };
    let alice = signed_in(&demo.alice);
    let alice: Vec<(&str, &str)> = alice.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let bob = signed_in(&demo.bob);
    let bob: Vec<(&str, &str)> = bob.iter().map(|(n, v)| (*n, v.as_str())).collect();

    assert_eq!(get(base, "/", &[]).await.status, 200);
    assert_eq!(get(base, "/me", &[]).await.status, 401);
    let me = get(base, "/me", &alice).await;
    assert_eq!(me.status, 200);
    assert!(
        me.body.contains("\"email\":\"alice@example.com\""),
        "{}",
        me.body
    );
    let admin = get(base, "/admin", &alice).await;
    assert_eq!(
        (admin.status, admin.body.as_str()),
        (200, "welcome to the admin area, alice-sub\n")
    );
    assert_eq!(get(base, "/admin", &bob).await.status, 403);

    // Around the load balancer: another load balancer's token, or one signed by no load
    // balancer at all, or a bearer token where the load balancer's headers are expected.
    let other = demo
        .alb
        .token()
        .signer(cognito_core::test_util::LocalAlb::OTHER_SIGNER)
        .sign();
    assert_eq!(
        get(base, "/me", &[("x-amzn-oidc-data", &other)])
            .await
            .status,
        401
    );
    let forged = demo.alb.token().other_key().sign();
    assert_eq!(
        get(base, "/me", &[("x-amzn-oidc-data", &forged)])
            .await
            .status,
        401
    );
    let bearer = format!("Bearer {}", demo.pool.id_token().sign());
    assert_eq!(
        get(base, "/me", &[("authorization", &bearer)]).await.status,
        401
    );
    // Alice's user info with Bob's access token: not one user.
    let mixed = [
        ("x-amzn-oidc-data", alice[0].1),
        ("x-amzn-oidc-accesstoken", bob[1].1),
    ];
    assert_eq!(get(base, "/me", &mixed).await.status, 401);
    // The printed instructions name every route tried here.
    let instructions = demo.instructions(base);
    for path in ["/me", "/admin"] {
        assert!(
            instructions.contains(&format!("{base}{path}")),
            "{instructions}"
        );
    }
}

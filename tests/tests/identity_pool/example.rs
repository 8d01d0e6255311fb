//! The `identity-pool-example` router against moto.

use aws_sdk_s3::config::{BehaviorVersion, Region};
use cognito_integration_tests::{Emulator, emulator_url};
use serde_json::json;

use crate::harness::{ALICE, BOB, Server, TestResult};

#[tokio::test]
async fn moto_example_api_keeps_each_users_notes_under_their_identity() -> TestResult {
    use identity_pool_example::setup::{PASSWORD as EXAMPLE_PASSWORD, seed_moto};

    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let seeded = seed_moto(&url).await?;
    let server = Server::start(identity_pool_example::app(&seeded.settings)?).await;
    let alice = seeded.id_token(ALICE, EXAMPLE_PASSWORD).await?;
    let bob = seeded.id_token(BOB, EXAMPLE_PASSWORD).await?;
    let put = |path: &'static str, token: String, body: &'static str| {
        let server = &server;
        async move {
            server
                .send(reqwest::Method::PUT, path, Some(&token), None, Some(body))
                .await
        }
    };

    assert_eq!(server.get("/notes", None).await.status, 401);
    let whoami = server.get("/whoami", Some(&alice)).await.json();
    let alice_identity = whoami["identity_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(alice_identity.starts_with("us-east-1:"), "{whoami}");
    assert!(
        whoami["expires_in_seconds"]
            .as_u64()
            .is_some_and(|s| s <= 90),
        "{whoami}"
    );

    let reply = put("/notes/todo", alice.clone(), "buy milk").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let reply = put("/notes/plan.txt", alice.clone(), "world domination").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let reply = put("/notes/todo", bob.clone(), "call alice").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(put("/notes/a%20b", alice.clone(), "x").await.status, 400);

    assert_eq!(
        server.get("/notes", Some(&alice)).await.json(),
        json!({"notes": ["plan.txt", "todo"]})
    );
    assert_eq!(
        server.get("/notes", Some(&bob)).await.json(),
        json!({"notes": ["todo"]})
    );
    let reply = server.get("/notes/todo", Some(&alice)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "buy milk"));
    let reply = server.get("/notes/todo", Some(&bob)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "call alice"));
    assert_eq!(server.get("/notes/plan.txt", Some(&bob)).await.status, 404);

    // In the bucket, each note is under its owner's identity id.
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&url)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDTEST", "test", None, None, "test",
        ))
        .build();
    let listed = aws_sdk_s3::Client::from_conf(config)
        .list_objects_v2()
        .bucket(&seeded.settings.bucket)
        .prefix(format!("{alice_identity}/"))
        .send()
        .await?;
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(
        keys,
        [
            format!("{alice_identity}/plan.txt"),
            format!("{alice_identity}/todo")
        ]
    );
    Ok(())
}

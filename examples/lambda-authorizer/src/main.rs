//! The authorizer as a Lambda function: `COGNITO_POOL_ID`, `COGNITO_CLIENT_ID` and
//! `AUTHORIZER_MODE` (`rest`, `http`, `http-simple`) from the environment.

use lambda_authorizer::{Mode, authorizer, handle, pool};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .with_ansi(false)
        .without_time()
        .init();
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let mode = Mode::from_env_value(std::env::var("AUTHORIZER_MODE").ok().as_deref())?;
    let verifier = pool(&var("COGNITO_POOL_ID")?, &var("COGNITO_CLIENT_ID")?)?;
    let authorizer = authorizer(verifier, mode);
    // Init phase: fetch the pool's keys once, before the first event waits on them.
    authorizer.verifier().hydrate().await?;
    let authorizer = &authorizer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(authorizer, mode, event.payload).await
    }))
    .await
}

//! Runs the quickstart API on 127.0.0.1 (port `PORT`, default 3000).
//!
//! Without `COGNITO_USER_POOL_ID`, it starts the embedded local issuer and prints commands to
//! try each route with freshly minted tokens. With `COGNITO_USER_POOL_ID` and
//! `COGNITO_CLIENT_ID` (and `COGNITO_JWKS_URL` / `COGNITO_ISSUER` for emulators), it protects
//! the API with that pool.

use std::process::ExitCode;

use quickstart::{app, verifier_from_env};

#[tokio::main]
async fn main() -> ExitCode {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let address = format!("127.0.0.1:{port}");

    // The demo issuer must outlive the server: its JWKS endpoint serves the keys.
    let (verifier, demo) = match verifier_from_env() {
        Ok(found) => found,
        Err((message, code)) => {
            eprintln!("{message}");
            return ExitCode::from(code);
        }
    };
    if let Err(e) = verifier.hydrate().await {
        eprintln!("warning: the pool's keys could not be loaded yet ({e}); retrying on demand");
    }

    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e} (set PORT to use another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("quickstart API listening on http://{address}\n");
    if let Some(demo) = &demo {
        println!("{}", demo.instructions(&format!("http://{address}")));
    }
    println!("Ctrl-C stops the server.");

    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app(verifier))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

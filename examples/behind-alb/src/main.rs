//! Runs the API behind an Application Load Balancer on 127.0.0.1 (port `PORT`, default 3000).
//!
//! Without `ALB_REGION`, it starts a local load balancer and user pool and prints commands to
//! try each route with the headers a load balancer would forward. With `ALB_REGION`,
//! `ALB_ARNS`, `ALB_CLIENT_ID` and `ALB_ISSUER` (and `COGNITO_USER_POOL_ID` to verify the
//! forwarded access token), it trusts that load balancer.

use std::process::ExitCode;

use behind_alb::{Config, Demo, app};

#[tokio::main]
async fn main() -> ExitCode {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let address = format!("127.0.0.1:{port}");

    // The demo's endpoints must outlive the server: they serve the keys.
    let (verifier, demo) = match Config::from_env() {
        Some(config) => match config.verifier() {
            Ok(verifier) => (verifier, None),
            Err(e) => {
                eprintln!("configuration error: {e}");
                return ExitCode::from(2);
            }
        },
        None => match Demo::start().map(|demo| (demo.verifier(), demo)) {
            Ok((Ok(verifier), demo)) => (verifier, Some(demo)),
            Ok((Err(e), _)) => {
                eprintln!("configuration error: {e}");
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("cannot start the local load balancer: {e}");
                return ExitCode::FAILURE;
            }
        },
    };

    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e} (set PORT to use another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("API behind a load balancer, listening on http://{address}\n");
    if let Some(demo) = &demo {
        println!("{}\n", demo.instructions(&format!("http://{address}")));
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

//! Runs the actix-web quickstart API on 127.0.0.1 (port `PORT`, default 3001).
//!
//! ```sh
//! cargo run -p quickstart-actix
//! ```
//!
//! Without `COGNITO_USER_POOL_ID`, it starts the embedded local issuer and prints commands to
//! try each route with freshly minted tokens. With `COGNITO_USER_POOL_ID` and
//! `COGNITO_CLIENT_ID` (and `COGNITO_JWKS_URL` / `COGNITO_ISSUER` for emulators), it protects
//! the API with that pool.

use std::process::ExitCode;

use actix_web::HttpServer;
use quickstart_actix::{app, verifier_from_env};

fn main() -> ExitCode {
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> ExitCode {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3001".to_owned());
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

    let server = match HttpServer::new(move || app(verifier.clone())).bind(&address) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e} (set PORT to use another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("quickstart API (actix-web) listening on http://{address}\n");
    if let Some(demo) = &demo {
        println!("{}", demo.instructions(&format!("http://{address}")));
    }
    println!("Ctrl-C stops the server.");

    // actix-web stops gracefully on Ctrl-C by itself.
    if let Err(e) = server.run().await {
        eprintln!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

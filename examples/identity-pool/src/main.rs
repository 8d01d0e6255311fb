//! Runs the notes API on 127.0.0.1 (port `PORT`, default 3000).
//!
//! ```text
//! identity-pool-example --setup   create the pools, users and bucket on moto (MOTO_URL) and
//!                                 print the settings and commands to try the API, then exit
//! identity-pool-example           serve with COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID,
//!                                 COGNITO_IDENTITY_POOL_ID and AWS_ENDPOINT_URL (optional:
//!                                 COGNITO_JWKS_URL, NOTES_BUCKET); with only MOTO_URL set, it
//!                                 runs the setup first
//! ```

use std::process::ExitCode;

use identity_pool_example::setup::{PASSWORD, Seeded, USERS, seed_moto};
use identity_pool_example::{Settings, app};

const USAGE: &str = "usage: identity-pool-example [--setup]

  --setup   create a user pool, app client, users, identity pool and bucket on the moto server
            at MOTO_URL (e.g. http://127.0.0.1:5000), print the settings, and exit

Without --setup the API serves on 127.0.0.1:$PORT (default 3000) with the settings from
COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_IDENTITY_POOL_ID and AWS_ENDPOINT_URL (for
moto; optional: COGNITO_JWKS_URL, NOTES_BUCKET). With only MOTO_URL set, the setup runs first.";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let setup_only = match args.as_slice() {
        [] => false,
        [flag] if flag == "--setup" => true,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let address = format!("127.0.0.1:{port}");
    let moto_url = std::env::var("MOTO_URL").ok().filter(|v| !v.is_empty());

    let settings = match (setup_only, Settings::from_env(), moto_url) {
        (false, Ok(Some(settings)), _) => {
            println!("identity pool {}", settings.identity_pool_id);
            settings
        }
        (_, Err(e), _) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
        (_, _, Some(moto_url)) => match seed_moto(&moto_url).await {
            Ok(seeded) => {
                print_setup(&seeded, &address, setup_only);
                if setup_only {
                    return ExitCode::SUCCESS;
                }
                seeded.settings
            }
            Err(e) => {
                eprintln!("setup failed: {e}");
                return ExitCode::FAILURE;
            }
        },
        (_, Ok(_), None) => {
            eprintln!("set MOTO_URL (moto server) or the COGNITO_* settings\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let router = match app(&settings) {
        Ok(router) => router,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e} (set PORT to use another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("notes API listening on http://{address} (Ctrl-C stops it)");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn print_setup(seeded: &Seeded, address: &str, setup_only: bool) {
    println!(
        "created on moto: user pool {}, identity pool {}, bucket {}, users {} (password '{PASSWORD}')\n",
        seeded.settings.user_pool_id,
        seeded.settings.identity_pool_id,
        seeded.settings.bucket,
        USERS.join(", "),
    );
    if setup_only {
        println!(
            "# serve the API with these settings:\n{}\ncargo run -p identity-pool-example\n",
            seeded.settings.exports()
        );
    }
    println!(
        "# then, in another shell, sign in as {user} and use the API:\n\
         TOKEN=$({sign_in})\n\
         curl -s -H \"Authorization: Bearer $TOKEN\" http://{address}/whoami\n\
         curl -s -X PUT -H \"Authorization: Bearer $TOKEN\" --data 'buy milk' http://{address}/notes/todo\n\
         curl -s -H \"Authorization: Bearer $TOKEN\" http://{address}/notes\n\
         curl -s -H \"Authorization: Bearer $TOKEN\" http://{address}/notes/todo\n",
        user = USERS[0],
        sign_in = seeded.sign_in_command(USERS[0]),
    );
}

//! Serving and calling apps on 127.0.0.1: [`AxumServer`], [`ActixServer`] and [`http_client`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use actix_http::Request;
use actix_service::IntoServiceFactory;
use actix_web::HttpServer;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Response, Server, ServerHandle, Service, ServiceFactory};
use tokio::task::JoinHandle;

/// An axum app served on 127.0.0.1 on a free port; it stops when dropped.
pub struct AxumServer {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl AxumServer {
    /// Serves `router`.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start(router: axum::Router) -> AxumServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("serving the app");
        });
        AxumServer {
            base: format!("http://{addr}"),
            task,
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl Drop for AxumServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An actix-web app served by `HttpServer` (one worker, no signal handling) on 127.0.0.1 on a
/// free port, until [`stop`](Self::stop)ped or dropped (which asks the server to stop).
pub struct ActixServer {
    base: String,
    handle: ServerHandle,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ActixServer {
    /// Serves `server`'s app: `ActixServer::start(HttpServer::new(move || app(..)))`.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub fn start<F, I, S, B>(server: HttpServer<F, I, S, B>) -> ActixServer
    where
        F: Fn() -> I + Send + Clone + 'static,
        I: IntoServiceFactory<S, Request>,
        S: ServiceFactory<Request, Config = AppConfig> + 'static,
        S::Error: Into<actix_web::Error> + 'static,
        S::InitError: fmt::Debug,
        S::Response: Into<Response<B>> + 'static,
        <S::Service as Service<Request>>::Future: 'static,
        S::Service: 'static,
        B: MessageBody + 'static,
    {
        let server = server
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .bind(("127.0.0.1", 0))
            .expect("binding 127.0.0.1:0");
        let addr: SocketAddr = *server.addrs().first().expect("the server's address");
        let server: Server = server.run();
        ActixServer {
            base: format!("http://{addr}"),
            handle: server.handle(),
            task: Some(tokio::spawn(server)),
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Stops the server and waits until it has.
    ///
    /// # Panics
    ///
    /// When the server failed.
    pub async fn stop(mut self) {
        self.handle.stop(false).await;
        if let Some(task) = self.task.take() {
            task.await
                .expect("the server task panicked")
                .expect("the server failed");
        }
    }
}

impl Drop for ActixServer {
    fn drop(&mut self) {
        if self.task.is_some() {
            // The command is sent at once; the returned future only waits for its completion.
            drop(self.handle.stop(false));
        }
    }
}

/// An HTTP client for calls to loopback servers: no proxy, a 30-second timeout.
///
/// # Panics
///
/// When the client cannot be built.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("building the reqwest client")
}

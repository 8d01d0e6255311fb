//! Serving and calling apps on 127.0.0.1: [`AxumServer`] and [`http_client`].

use std::time::Duration;

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

//! The key endpoints of the test kit: hyper on a thread of its own with a single-threaded
//! runtime, answering as a [`JwksBehaviour`] says.

use super::*;

/// What a key endpoint serves.
pub(super) trait Endpoint: Send + Sync + 'static {
    /// The body of a normal answer for `path`; `None` is a 404.
    fn body(&self, path: &str) -> Option<String>;
    /// How the endpoint answers now.
    fn behaviour(&self) -> JwksBehaviour;
    /// Counts a request for a key.
    fn count_request(&self);
}

impl Endpoint for State {
    fn body(&self, path: &str) -> Option<String> {
        path.ends_with("/.well-known/jwks.json")
            .then(|| self.jwks_json())
    }

    fn behaviour(&self) -> JwksBehaviour {
        *lock(&self.behaviour)
    }

    fn count_request(&self) {
        self.jwks_requests.fetch_add(1, Ordering::SeqCst);
    }
}

pub(super) struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(super) fn start<E: Endpoint>(
        listener: std::net::TcpListener,
        state: Arc<E>,
    ) -> std::io::Result<Self> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("local-issuer".into())
            .spawn(move || runtime.block_on(serve(listener, state, stop)))?;
        Ok(Server {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve<E: Endpoint>(
    listener: std::net::TcpListener,
    state: Arc<E>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        answer(Arc::clone(&state), req)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

async fn answer<E: Endpoint>(
    state: Arc<E>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let Some(body) = state.body(req.uri().path()) else {
        return Ok(respond(StatusCode::NOT_FOUND, "not found".into()));
    };
    state.count_request();
    Ok(match state.behaviour() {
        JwksBehaviour::Normal => respond(StatusCode::OK, body),
        JwksBehaviour::Status(code) => respond(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "failure on purpose".into(),
        ),
        JwksBehaviour::Garbage => respond(StatusCode::OK, "<html>not a key set".into()),
        JwksBehaviour::Oversized => {
            let padding = "x".repeat(2 * 1024 * 1024);
            respond(
                StatusCode::OK,
                format!("{{\"keys\":[],\"pad\":\"{padding}\"}}"),
            )
        }
        JwksBehaviour::Stall => {
            std::future::pending::<()>().await;
            respond(StatusCode::OK, String::new())
        }
        JwksBehaviour::Delayed(delay) => {
            tokio::time::sleep(delay).await;
            respond(StatusCode::OK, body)
        }
    })
}

fn respond(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

//! The JWKS endpoint: hyper on a thread of its own with a single-threaded runtime.

use super::*;

pub(super) struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(super) fn start(
        listener: std::net::TcpListener,
        state: Arc<State>,
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

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
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

async fn answer(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if !req.uri().path().ends_with("/.well-known/jwks.json") {
        return Ok(respond(StatusCode::NOT_FOUND, "not found".into()));
    }
    state.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let behaviour = *lock(&state.behaviour);
    Ok(match behaviour {
        JwksBehaviour::Normal => respond(StatusCode::OK, state.jwks_json()),
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
            respond(StatusCode::OK, state.jwks_json())
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

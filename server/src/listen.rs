//! The HTTP/1.1 listener with timeouts (issue 24, slowloris): a client that does not send its
//! request headers within `header_read` — a new connection, or one kept alive between two
//! requests — is disconnected, and a request body that stalls for `body` answers 408. Without
//! these, a connection with half its headers stayed open for ten minutes, and 3,000 of them held
//! 3,000 descriptors. Shutting down lets requests in flight finish.

use std::{future::Future, time::Duration};

use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client may take (`SELFCARE_HEADER_TIMEOUT_SECS`, `SELFCARE_BODY_TIMEOUT_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To send a request's headers, counted from the connection (or the end of the last
    /// answer on a kept-alive connection); also the longest a kept-alive connection idles.
    pub header_read: Duration,
    /// Between two parts of a request's body.
    pub body: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: Duration::from_secs(10),
            body: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the connections' requests
/// in flight. Each request carries its client's socket address (`ConnectInfo`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        timeouts.body,
    ));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Streamed pages stall ~40 ms per request on Nagle + delayed ACK without this.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "TCP_NODELAY not set");
        }
        let service = app
            .clone()
            .layer(axum::Extension(ConnectInfo(remote)))
            .map_request(|request: http::Request<Incoming>| request.map(Body::new));
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(client = %remote, error = %err, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

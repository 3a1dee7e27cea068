//! Accepting connections, with the timeouts a public server needs: a connection must start its
//! request and send the headers within `header_read` (also the longest idle time between
//! requests of a kept-alive connection), so half-sent requests and silent connections cannot
//! pile up; on shutdown the listener closes, idle connections are closed at once, requests in
//! flight get `grace` to finish, and whatever remains is then dropped.
//!
//! This is `axum::serve` with those settings, which it does not expose: hyper-util's
//! connection builder (HTTP/1 and HTTP/2, with upgrades for WebSockets) and its graceful
//! shutdown watcher.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Service;

/// The connection timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub grace: Duration,
}

/// Serves `router` on `listener` until `signal` completes, then shuts down gracefully.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    signal: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(timeouts.header_read))
        .keep_alive_timeout(timeouts.header_read);
    let mut signal = std::pin::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, most likely: wait a little rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let builder = builder.clone();
        let header_read = timeouts.header_read;
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // A connection that sends nothing at all is dropped too: the HTTP version is not
            // known before its first bytes, and neither is the header timer running.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(header_read, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(err) = watcher.watch(connection).await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(timeouts.grace) => {
            tracing::warn!(
                grace_secs = timeouts.grace.as_secs(),
                "connections still open after the grace period are closed"
            );
        }
    }
    Ok(())
}

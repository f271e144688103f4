//! The test host (`spooltrack serve --dev`): the station's commands and events over HTTP on loopback, so the
//! interface runs on the real core in a browser or in vitest. The same declaration makes these commands and
//! the window's (`commands`), and the same code produces the events (`events::serve_station`):
//! - `POST /ipc/{command}` with the arguments as a JSON object answers the result (200) or the error payload
//!   (422); a command that does not exist is 404.
//! - `GET /events` is a stream of server-sent events, each `{"event": name, "payload": …}` as Tauri emits it.
//! - Any other path is a file of the built interface, when `ui` names its folder.
//!
//! It listens on 127.0.0.1 only and has no authentication: it is for tests and development on one PC.

use std::{
    convert::Infallible,
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{
        sse::{Event as SseEvent, KeepAlive},
        IntoResponse, Response, Sse,
    },
    routing::{get, post},
    Json, Router,
};
use futures_util::Stream;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

use crate::{
    commands,
    events::{self, Sink, SpoolChanged},
    slot::StationSlot,
};

/// Events waiting for a slow client; past that it is told to reload everything.
const EVENT_BACKLOG: usize = 256;

struct Host {
    slot: StationSlot,
    events: broadcast::Sender<String>,
}

/// Each event is sent as its JSON text, once, to every connected client.
impl Sink for broadcast::Sender<String> {
    fn send<E: tauri_specta::Event + Serialize + Clone>(&self, event: E) {
        // Nobody listening is not an error: the next client starts from a fresh read anyway.
        let _ = broadcast::Sender::send(self, event_json(E::NAME, &event));
    }
}

fn event_json(name: &str, payload: &impl Serialize) -> String {
    json!({ "event": name, "payload": payload }).to_string()
}

/// Serves the station of `slot` on `127.0.0.1:port` (0 picks a free port; `on_listening` hears which) until the
/// process ends, with the station's background work running behind it as in the window (on a first start,
/// once setup opened it).
pub async fn serve(
    slot: StationSlot,
    port: u16,
    ui: Option<PathBuf>,
    on_listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    let host = Arc::new(Host { slot, events: broadcast::channel(EVENT_BACKLOG).0 });
    let mut router = Router::new()
        .route("/ipc/{command}", post(invoke))
        .route("/events", get(stream_events))
        .with_state(host.clone());
    if let Some(ui) = ui {
        router = router.fallback_service(ServeDir::new(ui));
    }
    on_listening(listener.local_addr()?);
    tokio::spawn(async move {
        host.slot
            .each(|station| {
                let host = host.clone();
                async move { events::serve_station(&station, &host.events).await }
            })
            .await;
    });
    axum::serve(listener, router).await
}

async fn invoke(State(host): State<Arc<Host>>, Path(command): Path<String>, Json(arguments): Json<Value>) -> Response {
    match commands::dispatch(&host.slot, &command, arguments).await {
        Some(Ok(answer)) => Json(answer).into_response(),
        Some(Err(error)) => (StatusCode::UNPROCESSABLE_ENTITY, Json(error)).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no existe el comando {command}")).into_response(),
    }
}

/// The client is subscribed once the response starts, so a client that waited for it misses no event.
async fn stream_events(State(host): State<Arc<Host>>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = host.events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let data = match receiver.recv().await {
            Ok(data) => data,
            Err(broadcast::error::RecvError::Lagged(_)) => {
                event_json(<SpoolChanged as tauri_specta::Event>::NAME, &SpoolChanged::everything())
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(SseEvent::default().data(data)), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

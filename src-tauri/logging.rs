//! Log lines on stderr, filtered by `SPOOLTRACK_LOG`. The HTTP and OAuth crates print the access token, the
//! signed JWT and request headers at debug and trace: they are held at info whatever the filter asks.

use tracing::{Level, Metadata};
use tracing_subscriber::{filter::filter_fn, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

/// Crates whose debug and trace lines may carry credentials.
const CREDENTIAL_LOGGERS: &[&str] =
    &["yup_oauth2", "google_sheets4", "hyper", "hyper_util", "hyper_rustls", "h2", "rustls"];

pub fn init(default_level: &str) {
    let wanted = EnvFilter::try_from_env("SPOOLTRACK_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(wanted)
        .with_filter(filter_fn(|metadata| !carries_credentials(metadata)));
    // Records of crates that log through `log` arrive as events with the crate's target, filtered the same way.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

fn carries_credentials(metadata: &Metadata<'_>) -> bool {
    *metadata.level() > Level::INFO
        && CREDENTIAL_LOGGERS.iter().any(|name| {
            metadata.target().strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        })
}

//! The project's Sheets fake, run by hand: serves a production-like spreadsheet on a local port, writes a
//! service-account key for it and a station configuration that uses it, and runs until stopped (Ctrl-C).
//! Everything lives in memory: a restart starts the shop afresh.
//!
//!     cargo run -p spooltrack-testkit --bin sheets-fake -- --folder /tmp/planilla
//!     cargo run -- --config /tmp/planilla/config.toml status MK-1300-CW-25000-001

use std::path::PathBuf;

use clap::Parser;
use spooltrack_domain::schema::TabNames;
use spooltrack_testkit::{production::production_shop, SheetsFake};

#[derive(Parser)]
#[command(about = "Una planilla de Google Sheets de prueba, local, para usar Spooltrack sin Google")]
struct Arguments {
    /// Port on 127.0.0.1 to serve on.
    #[arg(long, default_value_t = 8085)]
    port: u16,
    /// Where to write the service-account key and the station's config.toml.
    #[arg(long, default_value = "sheets-fake")]
    folder: PathBuf,
    /// How many spools the spreadsheet holds.
    #[arg(long, default_value_t = 3_000)]
    spools: usize,
    /// Milliseconds every call waits, as Google's round trip would.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

const SPREADSHEET: &str = "planilla-local";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let arguments = Arguments::parse();
    std::fs::create_dir_all(&arguments.folder)?;
    let folder = std::fs::canonicalize(&arguments.folder)?;
    let now = chrono::Utc::now().with_timezone(&chrono_tz::America::Santiago).naive_local();
    let names = TabNames::default();
    let tabs = production_shop(arguments.spools, now)
        .grids()
        .into_iter()
        .map(|(tab, grid)| (names.name(tab).to_string(), grid))
        .collect();
    let fake = SheetsFake::start_on(&format!("127.0.0.1:{}", arguments.port), SPREADSHEET, tabs).await;
    fake.set_latency(std::time::Duration::from_millis(arguments.latency_ms));
    let key = fake.write_service_account_key(&folder);
    let config = folder.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "# Una estación que usa la planilla de prueba de sheets-fake.\nstation = \"estacion-prueba\"\n\n\
             [embedded]\n# Los bloqueos locales de esta estación.\ndatabase = {:?}\n\n\
             [lock]\n# Una sola estación en esta planilla; varias comparten un Redis (kind = \"redis\").\n\
             single_station = true\n\n\
             [sheets]\nspreadsheet_id = {SPREADSHEET:?}\ncredentials = {:?}\nendpoint = {:?}\n",
            folder.join("bloqueos.db"),
            key,
            fake.endpoint(),
        ),
    )?;
    println!("Planilla de prueba con {} spools en {}", arguments.spools, fake.endpoint());
    println!("Configuración de estación: {}", config.display());
    println!("  spooltrack --config {} doctor", config.display());
    println!("Ctrl-C para terminar (los datos viven en memoria).");
    std::future::pending::<()>().await;
    Ok(())
}

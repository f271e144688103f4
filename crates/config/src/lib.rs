//! The station's host configuration, kept out of the core (which depends only on its ports): a TOML file from
//! `--config`, else `SPOOLTRACK_CONFIG`, else the OS config folder; no file at all means the embedded default.
//! Unknown keys and bad values are refused by name.

pub mod setup;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use spooltrack_domain::{schema::TabNames, SpoolError};

/// The app's identifier, also the name of its data folder, shared by the window and the CLI.
pub const APP_ID: &str = "cl.spooltrack.app";
pub const CONFIG_ENV: &str = "SPOOLTRACK_CONFIG";

/// The lock service: in the store file on this PC, or the shop's shared Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockConfig {
    /// Exclusive among the processes of this PC only. With Google Sheets it needs `single_station = true`:
    /// stations on one spreadsheet must share a Redis, or two of them can hand out one spool twice.
    Local {
        single_station: bool,
    },
    Redis {
        url: String,
        prefix: String,
    },
}

impl LockConfig {
    /// Where the locks live, without credentials (a Redis URL may carry a password): the Redis's address and
    /// the site's prefix, or none for the store file's own locks.
    pub fn address(&self) -> Option<String> {
        let LockConfig::Redis { url, prefix } = self else { return None };
        let address = RedisUrl::parse(url).map_or("?", |url| url.address);
        Some(format!("{address} (prefijo {prefix})"))
    }
}

/// The parts of a Redis URL (`scheme://user:password@address/database`) a station shows or compares. The
/// credentials end at the last `@`: a password may hold any character, `/` and `@` included.
pub(crate) struct RedisUrl<'a> {
    pub scheme: &'a str,
    pub user: &'a str,
    pub password: Option<&'a str>,
    /// Host and port.
    pub address: &'a str,
}

impl<'a> RedisUrl<'a> {
    pub(crate) fn parse(url: &'a str) -> Option<RedisUrl<'a>> {
        let (scheme, rest) = url.trim().split_once("://")?;
        let (credentials, server) = rest.rsplit_once('@').unwrap_or(("", rest));
        let address = server.split('/').next().unwrap_or(server);
        let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
        Some(RedisUrl { scheme, user, password: (!password.is_empty()).then_some(password), address })
    }
}

pub const DEFAULT_RECONCILE_MINUTES: u32 = 5;

/// Keys of a site live under this prefix unless the file says otherwise.
pub const DEFAULT_REDIS_PREFIX: &str = "spooltrack";

/// Google's Sheets API, unless `[sheets] endpoint` names another (the project's fake, a proxy).
pub const GOOGLE_SHEETS_ENDPOINT: &str = "https://sheets.googleapis.com/";

/// The shop's spreadsheet, when the file has a `[sheets]` section; without one the embedded store is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetsConfig {
    pub spreadsheet_id: String,
    /// The service-account key file (relative paths are taken from the config file's folder).
    pub credentials: PathBuf,
    /// The API's base URL, always ending in `/`.
    pub endpoint: String,
    pub tabs: TabNames,
    /// This station's share of the service account's quota (60 reads and 60 writes a minute for the shop).
    pub reads_per_minute: u32,
    pub writes_per_minute: u32,
    /// How often the shop's one reader re-reads the spreadsheet for the shared snapshot (with Redis).
    pub refresh_seconds: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The station's name, shown on the board next to the spools taken here.
    pub station: String,
    /// The spreadsheet's time zone: every date and timestamp is written in it.
    pub timezone: Tz,
    /// Where the embedded store keeps its database file.
    pub database: PathBuf,
    /// Which lock service keeps spools exclusive.
    pub lock: LockConfig,
    /// The Google spreadsheet, if the station uses one instead of the embedded store.
    pub sheets: Option<SheetsConfig>,
    /// How often the window says this station is alive; three missed beats show it as silent.
    pub heartbeat_seconds: u32,
    /// How often the window reconciles locks with the rows (besides at start-up), give or take a random tenth.
    pub reconcile_minutes: u32,
    /// A viewer station (board, status, lists; no actions): it works from the shop's Redis and its local copy
    /// alone and needs no service-account key.
    pub viewer: bool,
    /// A wall screen for the shop floor: full screen, read-only, large type, no identification (`pantalla`).
    pub wall_screen: bool,
    /// A touch PC on the floor: the window opens full screen with no decorations and stays so; only a
    /// supervisor's PIN closes it.
    pub kiosk: bool,
    /// Where the board saves the work sessions it exports (the user's downloads folder unless configured).
    pub export_folder: PathBuf,
    /// The file this configuration came from, if any.
    pub source: Option<PathBuf>,
}

impl Config {
    /// The embedded default, with the database in the OS data folder.
    pub fn embedded_default() -> Self {
        let data = dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(APP_ID);
        Config {
            station: default_station(),
            timezone: chrono_tz::America::Santiago,
            database: data.join("spooltrack.db"),
            lock: LockConfig::Local { single_station: false },
            sheets: None,
            heartbeat_seconds: spooltrack_core::DEFAULT_HEARTBEAT_SECONDS,
            reconcile_minutes: DEFAULT_RECONCILE_MINUTES,
            viewer: false,
            wall_screen: false,
            kiosk: false,
            export_folder: dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir),
            source: None,
        }
    }

    /// Finds and reads the configuration: `explicit` path, else the environment variable, else the OS
    /// config folder; with none of them present, the embedded default.
    pub fn load(explicit: Option<&Path>) -> Result<Config, SpoolError> {
        if let Some(path) = named(explicit) {
            return Config::from_file(&path);
        }
        match default_path() {
            Some(path) if path.is_file() => Config::from_file(&path),
            _ => Ok(Config::embedded_default()),
        }
    }

    /// Where this station's configuration lives, whether or not it exists yet (the first-run setup writes it
    /// there): `explicit` path, else the environment variable, else the OS config folder's.
    pub fn location(explicit: Option<&Path>) -> Option<PathBuf> {
        named(explicit).or_else(default_path)
    }

    /// The shop this station's kept copy of the shared snapshot belongs to: its spreadsheet and its Redis. A
    /// station set up again for another shop never starts from, nor shows offline, the copy of the one before.
    pub fn shop(&self) -> String {
        let spreadsheet = self.sheets.as_ref().map_or("", |sheets| sheets.spreadsheet_id.as_str());
        format!("{spreadsheet} {}", self.lock.address().unwrap_or_default())
    }

    /// A kiosk closes only on a supervisor's PIN, which a viewer station cannot check.
    pub fn check_kiosk(&self) -> Result<(), SpoolError> {
        if self.viewer && self.kiosk {
            return Err(invalid(
                "kiosk",
                "una estación de visualización no comprueba PIN de supervisor, y solo un supervisor cierra un \
                 quiosco: quite kiosk o viewer"
                    .into(),
            ));
        }
        Ok(())
    }

    pub fn from_file(path: &Path) -> Result<Config, SpoolError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| invalid("--config", format!("no se pudo leer {}: {error}", path.display())))?;
        let mut config = Config::parse(&text)?;
        if let (Some(sheets), Some(folder)) = (config.sheets.as_mut(), path.parent()) {
            sheets.credentials = folder.join(&sheets.credentials);
        }
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, SpoolError> {
        let table: toml::Table =
            text.parse().map_err(|error: toml::de::Error| invalid("archivo", error.message().to_string()))?;
        let mut config = Config::embedded_default();
        // Read first: it decides what `[sheets]` requires.
        if let Some(value) = table.get("viewer") {
            config.viewer = flag("viewer", value)?;
        }
        for (key, value) in &table {
            match key.as_str() {
                "viewer" => {}
                "station" => config.station = non_empty_text(key, value)?,
                "pantalla" => config.wall_screen = flag(key, value)?,
                "kiosk" => config.kiosk = flag(key, value)?,
                "timezone" => config.timezone = timezone(key, value)?,
                "embedded" => {
                    if let Some(database) = path_in(key, value, "database")? {
                        config.database = database;
                    }
                }
                "export" => {
                    if let Some(folder) = path_in(key, value, "folder")? {
                        config.export_folder = folder;
                    }
                }
                "lock" => parse_lock(section(key, value)?, &mut config)?,
                "sheets" => parse_sheets(section(key, value)?, &mut config)?,
                _ => return Err(invalid(key, "clave desconocida".into())),
            }
        }
        if config.viewer && !matches!(config.lock, LockConfig::Redis { .. }) {
            return Err(invalid(
                "viewer",
                "una estación de visualización toma los datos del Redis de la planta: configure [lock] kind = \"redis\""
                    .into(),
            ));
        }
        config.check_kiosk()?;
        if config.sheets.is_some() && config.lock == (LockConfig::Local { single_station: false }) {
            return Err(invalid(
                "lock",
                "con [sheets] las estaciones comparten la planilla y deben compartir también un Redis \
                 ([lock] kind = \"redis\"); si esta es la única estación, diga single_station = true"
                    .into(),
            ));
        }
        Ok(config)
    }
}

/// A section that holds one path (`[embedded] database`, `[export] folder`): the path if given; any other key
/// is refused.
fn path_in(key: &str, value: &toml::Value, name: &str) -> Result<Option<PathBuf>, SpoolError> {
    let mut path = None;
    for (inner, value) in section(key, value)? {
        let key = format!("{key}.{inner}");
        if inner != name {
            return Err(invalid(&key, "clave desconocida".into()));
        }
        path = Some(PathBuf::from(non_empty_text(&key, value)?));
    }
    Ok(path)
}

fn section<'a>(key: &str, value: &'a toml::Value) -> Result<&'a toml::Table, SpoolError> {
    value.as_table().ok_or_else(|| invalid(key, format!("debe ser una sección [{key}]")))
}

/// `[lock] kind = "local" | "redis"`, with `url` (required for Redis), `prefix`, `heartbeat_seconds`,
/// `reconcile_minutes` and, for a local lock, `single_station`.
fn parse_lock(section: &toml::Table, config: &mut Config) -> Result<(), SpoolError> {
    let (mut kind, mut url, mut prefix) = ("local".to_string(), None, DEFAULT_REDIS_PREFIX.to_string());
    let mut single_station = None;
    for (inner, value) in section {
        let key = format!("lock.{inner}");
        match inner.as_str() {
            "kind" => kind = non_empty_text(&key, value)?,
            "url" => url = Some(non_empty_text(&key, value)?),
            "prefix" => prefix = non_empty_text(&key, value)?,
            "heartbeat_seconds" => config.heartbeat_seconds = whole(&key, value, 1..=3600)?,
            "reconcile_minutes" => config.reconcile_minutes = whole(&key, value, 1..=1440)?,
            "single_station" => single_station = Some(flag(&key, value)?),
            _ => return Err(invalid(&key, "clave desconocida".into())),
        }
    }
    config.lock = match kind.as_str() {
        "local" => LockConfig::Local { single_station: single_station.unwrap_or(false) },
        "redis" if single_station.is_some() => {
            return Err(invalid("lock.single_station", "solo vale con kind = \"local\"".into()))
        }
        "redis" => {
            let url = url.ok_or_else(|| invalid("lock.url", "es obligatoria con kind = \"redis\"".into()))?;
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                return Err(invalid("lock.url", "debe empezar con redis:// o rediss://".into()));
            }
            LockConfig::Redis { url, prefix }
        }
        other => return Err(invalid("lock.kind", format!("«{other}» no es local ni redis"))),
    };
    Ok(())
}

/// `[sheets]`: `spreadsheet_id` and `credentials` (required, except at a viewer), `endpoint`, `timezone` (the spreadsheet's, in
/// which dates are written), `reads_per_minute`, `writes_per_minute`, `refresh_seconds`, and `[sheets.tabs]` with
/// the four names.
fn parse_sheets(section: &toml::Table, config: &mut Config) -> Result<(), SpoolError> {
    let (mut spreadsheet_id, mut credentials) = (None, None);
    let mut sheets = SheetsConfig {
        spreadsheet_id: String::new(),
        credentials: PathBuf::new(),
        endpoint: GOOGLE_SHEETS_ENDPOINT.into(),
        tabs: TabNames::default(),
        reads_per_minute: 60,
        writes_per_minute: 60,
        refresh_seconds: spooltrack_core::DEFAULT_REFRESH_SECONDS,
    };
    for (inner, value) in section {
        let key = format!("sheets.{inner}");
        match inner.as_str() {
            "spreadsheet_id" => spreadsheet_id = Some(non_empty_text(&key, value)?),
            "credentials" => credentials = Some(PathBuf::from(non_empty_text(&key, value)?)),
            "endpoint" => {
                let url = non_empty_text(&key, value)?;
                if !url.starts_with("https://") && !url.starts_with("http://") {
                    return Err(invalid(&key, "debe empezar con https:// o http://".into()));
                }
                sheets.endpoint = if url.ends_with('/') { url } else { format!("{url}/") };
            }
            "timezone" => config.timezone = timezone(&key, value)?,
            "reads_per_minute" => sheets.reads_per_minute = whole(&key, value, 1..=600)?,
            "writes_per_minute" => sheets.writes_per_minute = whole(&key, value, 1..=600)?,
            "refresh_seconds" => sheets.refresh_seconds = whole(&key, value, 1..=3600)?,
            "tabs" => {
                for (tab, value) in self::section(&key, value)? {
                    let key = format!("{key}.{tab}");
                    let name = non_empty_text(&key, value)?;
                    match tab.as_str() {
                        "operaciones" => sheets.tabs.operaciones = name,
                        "trabajadores" => sheets.tabs.trabajadores = name,
                        "roles" => sheets.tabs.roles = name,
                        "metadata" => sheets.tabs.metadata = name,
                        _ => return Err(invalid(&key, "clave desconocida".into())),
                    }
                }
            }
            _ => return Err(invalid(&key, "clave desconocida".into())),
        }
    }
    // A viewer never reads the spreadsheet itself: the section only names its tabs and time zone.
    sheets.spreadsheet_id = match spreadsheet_id {
        Some(id) => id,
        None if config.viewer => String::new(),
        None => return Err(invalid("sheets.spreadsheet_id", "es obligatorio con [sheets]".into())),
    };
    sheets.credentials = match credentials {
        Some(path) => path,
        None if config.viewer => PathBuf::new(),
        None => return Err(invalid("sheets.credentials", "es obligatoria con [sheets]".into())),
    };
    config.sheets = Some(sheets);
    Ok(())
}

fn timezone(key: &str, value: &toml::Value) -> Result<Tz, SpoolError> {
    let name = non_empty_text(key, value)?;
    name.parse().map_err(|_| invalid(key, format!("«{name}» no es una zona horaria")))
}

/// A whole number within `range`.
fn whole(key: &str, value: &toml::Value, range: std::ops::RangeInclusive<i64>) -> Result<u32, SpoolError> {
    match value.as_integer() {
        Some(number) if range.contains(&number) => Ok(number as u32),
        _ => Err(invalid(key, format!("debe ser un número entero entre {} y {}", range.start(), range.end()))),
    }
}

/// The file named on the command line or in the environment.
fn named(explicit: Option<&Path>) -> Option<PathBuf> {
    let from_env = std::env::var_os(CONFIG_ENV).filter(|value| !value.is_empty()).map(PathBuf::from);
    explicit.map(Path::to_path_buf).or(from_env)
}

fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|folder| folder.join("spooltrack").join("config.toml"))
}

fn flag(key: &str, value: &toml::Value) -> Result<bool, SpoolError> {
    value.as_bool().ok_or_else(|| invalid(key, "debe ser true o false".into()))
}

fn non_empty_text(key: &str, value: &toml::Value) -> Result<String, SpoolError> {
    match value.as_str().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text.to_string()),
        _ => Err(invalid(key, "debe ser un texto no vacío".into())),
    }
}

fn invalid(key: &str, reason: String) -> SpoolError {
    SpoolError::ConfigInvalid { key: key.to_string(), reason }
}

/// The machine's host name, so stations are told apart on the board without any setup.
fn default_station() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "estacion-local".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_station_timezone_and_database() {
        let config = Config::parse(
            "station = \"Armado-1\"\ntimezone = \"America/Lima\"\n[embedded]\ndatabase = \"/tmp/x.db\"\n",
        )
        .expect("valid");
        assert_eq!(config.station, "Armado-1");
        assert_eq!(config.timezone, chrono_tz::America::Lima);
        assert_eq!(config.database, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn reads_the_wall_screen_flag() {
        assert!(Config::parse("pantalla = true\n").expect("valid").wall_screen);
        assert!(Config::parse("kiosk = true\n").expect("valid").kiosk);
        assert!(!Config::parse("").expect("valid").kiosk);
        assert!(Config::parse("kiosk = 1\n").is_err());
        let viewer = "viewer = true\nkiosk = true\n[lock]\nkind = \"redis\"\nurl = \"redis://127.0.0.1\"\n";
        assert!(matches!(Config::parse(viewer), Err(SpoolError::ConfigInvalid { key, .. }) if key == "kiosk"));
        assert!(!Config::parse("").expect("valid").wall_screen);
        assert!(Config::parse("pantalla = \"sí\"\n").is_err());
    }

    #[test]
    fn reads_the_export_folder_and_refuses_unknown_keys_there() {
        let config = Config::parse("[export]\nfolder = \"/tmp/exportes\"\n").expect("valid");
        assert_eq!(config.export_folder, PathBuf::from("/tmp/exportes"));
        let error = Config::parse("[export]\ncarpeta = \"/tmp\"\n").expect_err("unknown key");
        assert!(error.to_string().contains("export.carpeta"), "{error}");
    }

    #[test]
    fn reads_the_lock_section() {
        let config =
            Config::parse("[lock]\nkind = \"redis\"\nurl = \"redis://10.0.0.5:6379/\"\nprefix = \"planta1\"\n")
                .expect("valid");
        assert_eq!(config.lock, LockConfig::Redis { url: "redis://10.0.0.5:6379/".into(), prefix: "planta1".into() });
        let default_prefix = Config::parse("[lock]\nkind = \"redis\"\nurl = \"redis://h/\"\n").expect("valid");
        assert_eq!(default_prefix.lock, LockConfig::Redis { url: "redis://h/".into(), prefix: "spooltrack".into() });
        assert_eq!(Config::parse("").expect("valid").lock, LockConfig::Local { single_station: false });
        assert_eq!(Config::parse("[lock]\nheartbeat_seconds = 10").expect("valid").heartbeat_seconds, 10);
        assert_eq!(Config::parse("[lock]\nreconcile_minutes = 15").expect("valid").reconcile_minutes, 15);
    }

    #[test]
    fn the_shop_of_a_station_names_its_spreadsheet_and_redis_never_the_password() {
        let config = Config::parse(
            "[sheets]\nspreadsheet_id = \"1AbC\"\ncredentials = \"/k.json\"\n[lock]\nkind = \"redis\"\n\
             url = \"redis://planta:s3creta@10.0.0.5:6379/2\"\nprefix = \"planta1\"\n",
        )
        .expect("valid");
        assert_eq!(config.lock.address().as_deref(), Some("10.0.0.5:6379 (prefijo planta1)"));
        let slashed = LockConfig::Redis { url: "redis://u:pa/ss@10.0.0.6/".into(), prefix: "p".into() };
        assert_eq!(slashed.address().as_deref(), Some("10.0.0.6 (prefijo p)"), "a password with a slash");
        assert_eq!(config.shop(), "1AbC 10.0.0.5:6379 (prefijo planta1)");
        assert_eq!(Config::parse("").expect("valid").lock.address(), None);
    }

    #[test]
    fn reads_the_sheets_section() {
        let config = Config::parse(
            "[sheets]\nspreadsheet_id = \"1AbC\"\ncredentials = \"/etc/spooltrack/clave.json\"\n\
             endpoint = \"http://127.0.0.1:8085\"\ntimezone = \"America/Lima\"\nreads_per_minute = 20\n\
             [sheets.tabs]\noperaciones = \"Hoja de Operación\"\n[lock]\nsingle_station = true\n",
        )
        .expect("valid");
        let sheets = config.sheets.expect("sheets");
        assert_eq!(sheets.spreadsheet_id, "1AbC");
        assert_eq!(sheets.credentials, PathBuf::from("/etc/spooltrack/clave.json"));
        assert_eq!(sheets.endpoint, "http://127.0.0.1:8085/", "the client wants the trailing slash");
        assert_eq!(sheets.tabs.operaciones, "Hoja de Operación");
        assert_eq!(sheets.tabs.metadata, "Metadata");
        assert_eq!((sheets.reads_per_minute, sheets.writes_per_minute), (20, 60));
        assert_eq!(sheets.refresh_seconds, spooltrack_core::DEFAULT_REFRESH_SECONDS);
        assert_eq!(config.timezone, chrono_tz::America::Lima, "the spreadsheet's time zone");
        let default = Config::parse(
            "[sheets]\nspreadsheet_id = \"x\"\ncredentials = \"k.json\"\n[lock]\nkind = \"redis\"\nurl = \"redis://h/\"\n",
        )
        .expect("valid");
        assert_eq!(default.sheets.expect("sheets").endpoint, GOOGLE_SHEETS_ENDPOINT);
        assert_eq!(Config::parse("").expect("valid").sheets, None, "no section, the embedded store");
    }

    #[test]
    fn a_viewer_needs_the_shop_s_redis_and_no_key() {
        let viewer = Config::parse("viewer = true\n[lock]\nkind = \"redis\"\nurl = \"redis://127.0.0.1\"\n[sheets]\ntimezone = \"America/Lima\"")
            .expect("valid");
        assert!(viewer.viewer && viewer.sheets.is_some_and(|sheets| sheets.credentials.as_os_str().is_empty()));
        let key = |text: &str| match Config::parse(text) {
            Err(SpoolError::ConfigInvalid { key, .. }) => key,
            other => panic!("{other:?}"),
        };
        assert_eq!(key("viewer = true"), "viewer");
        assert_eq!(key("viewer = \"sí\""), "viewer");
        assert_eq!(key("[sheets]\nspreadsheet_id = \"x\"\n[lock]\nsingle_station = true"), "sheets.credentials");
    }

    #[test]
    fn a_relative_key_path_is_taken_from_the_config_folder() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("config.toml");
        std::fs::write(
            &path,
            "[sheets]\nspreadsheet_id = \"x\"\ncredentials = \"clave.json\"\n[lock]\nsingle_station = true\n",
        )
        .expect("written");
        let config = Config::from_file(&path).expect("valid");
        assert_eq!(config.sheets.expect("sheets").credentials, folder.path().join("clave.json"));
    }

    #[test]
    fn an_empty_file_is_the_embedded_default() {
        let config = Config::parse("").expect("valid");
        assert_eq!(config.timezone, chrono_tz::America::Santiago);
        assert!(config.database.ends_with("cl.spooltrack.app/spooltrack.db"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let key = |text: &str| match Config::parse(text) {
            Err(SpoolError::ConfigInvalid { key, .. }) => key,
            other => panic!("expected CONFIG_INVALID, got {other:?}"),
        };
        assert_eq!(key("colour = \"red\""), "colour");
        assert_eq!(key("timezone = \"Mars/Olympus\""), "timezone");
        assert_eq!(key("station = 3"), "station");
        assert_eq!(key("[embedded]\npath = \"x\""), "embedded.path");
        assert_eq!(key("station = "), "archivo");
        assert_eq!(key("[lock]\nkind = \"zookeeper\""), "lock.kind");
        assert_eq!(key("[lock]\nkind = \"redis\""), "lock.url");
        assert_eq!(key("[lock]\nkind = \"redis\"\nurl = \"http://x\""), "lock.url");
        assert_eq!(key("[lock]\nttl = 5"), "lock.ttl");
        assert_eq!(key("[sheets]\nspreadsheet_id = \"x\"\ncredentials = \"k.json\""), "lock", "no shared lock");
        assert_eq!(key("[lock]\nsingle_station = \"sí\""), "lock.single_station");
        assert_eq!(key("[lock]\nkind = \"redis\"\nurl = \"redis://h/\"\nsingle_station = true"), "lock.single_station");
        assert_eq!(key("[lock]\nheartbeat_seconds = 0"), "lock.heartbeat_seconds");
        assert_eq!(key("[lock]\nheartbeat_seconds = \"30\""), "lock.heartbeat_seconds");
        assert_eq!(key("[lock]\nreconcile_minutes = 0"), "lock.reconcile_minutes");
        assert_eq!(key("[sheets]\ncredentials = \"k\""), "sheets.spreadsheet_id");
        assert_eq!(key("[sheets]\nspreadsheet_id = \"x\""), "sheets.credentials");
        assert_eq!(
            key("[sheets]\nspreadsheet_id = \"x\"\ncredentials = \"k\"\nendpoint = \"ftp://x\""),
            "sheets.endpoint"
        );
        assert_eq!(key("[sheets]\nspreadsheet_id = \"x\"\ncredentials = \"k\"\nurl = \"x\""), "sheets.url");
        assert_eq!(key("[sheets.tabs]\nhistoria = \"x\""), "sheets.tabs.historia");
        assert_eq!(key("[sheets]\ntimezone = \"Luna\""), "sheets.timezone");
    }

    #[test]
    fn an_explicit_path_that_does_not_exist_is_refused() {
        let error = Config::load(Some(Path::new("/nonexistent/spooltrack.toml"))).expect_err("missing file");
        assert_eq!(error.code(), spooltrack_domain::ErrorCode::ConfigInvalid);
    }
}

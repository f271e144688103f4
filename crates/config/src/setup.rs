//! The first-run setup's answers turned into the station's files (the window's setup and `spooltrack setup`
//! alike): the spreadsheet's id taken out of a pasted URL, the service-account key copied into the config
//! folder readable by the user only, and a `config.toml` that [`Config::from_file`] reads back as answered.

use std::{
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use spooltrack_domain::SpoolError;

use crate::{invalid, Config, LockConfig, RedisUrl, DEFAULT_REDIS_PREFIX, GOOGLE_SHEETS_ENDPOINT};

/// The name the service-account key is kept under, next to `config.toml`.
pub const KEY_FILE: &str = "clave-cuenta-servicio.json";
/// Both files may hold secrets (the key, the Redis password): the user's alone.
const PRIVATE: u32 = 0o600;

/// What a person answers to connect a station to the shop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupAnswers {
    pub station: String,
    /// The spreadsheet's id, or its URL as copied from the browser.
    pub spreadsheet: String,
    /// The service-account key file as chosen (none at a viewer station, which needs no key).
    pub key_file: Option<PathBuf>,
    pub redis_url: String,
    /// The site's prefix in Redis; empty for the default.
    pub redis_prefix: String,
    /// A viewer station ("solo visualización"): board and lists from the shop's Redis, no actions.
    pub viewer: bool,
    /// Another base URL for the Sheets API than Google's (the project's fake, a proxy); none for Google's.
    pub endpoint: Option<String>,
}

/// The id in `text`: the spreadsheet's URL (`…/spreadsheets/d/<id>/edit#gid=0`) or the id itself.
pub fn spreadsheet_id(text: &str) -> Result<String, SpoolError> {
    let text = text.trim();
    let id = match text.split_once("/spreadsheets/d/") {
        Some((_, rest)) => rest.split(['/', '?', '#']).next().unwrap_or_default(),
        None => text,
    };
    if id.is_empty() || !id.chars().all(|letter| letter.is_ascii_alphanumeric() || letter == '-' || letter == '_') {
        return Err(invalid(
            "planilla",
            "no es el id ni la dirección de una planilla de Google (cópiela de la barra del navegador)".into(),
        ));
    }
    Ok(id.to_string())
}

/// What stands in for the Redis password in answers shown again (reopening setup): the password never leaves
/// the station's file, and answers that keep this keep the password.
pub const HIDDEN_PASSWORD: &str = "••••••";

impl SetupAnswers {
    /// The answers that made `config` (to reopen setup), the Redis password hidden.
    pub fn of(config: &Config) -> SetupAnswers {
        let (redis_url, redis_prefix) = match &config.lock {
            LockConfig::Redis { url, prefix } => (hiding_password(url), prefix.clone()),
            LockConfig::Local { .. } => (String::new(), String::new()),
        };
        let sheets = config.sheets.as_ref();
        SetupAnswers {
            station: config.station.clone(),
            spreadsheet: sheets.map(|sheets| sheets.spreadsheet_id.clone()).unwrap_or_default(),
            key_file: sheets.filter(|_| !config.viewer).map(|sheets| sheets.credentials.clone()),
            redis_url,
            redis_prefix,
            viewer: config.viewer,
            endpoint: sheets
                .map(|sheets| sheets.endpoint.clone())
                .filter(|endpoint| endpoint != GOOGLE_SHEETS_ENDPOINT),
        }
    }

    /// These answers with `config`'s Redis password where they kept it hidden, for the same server and user
    /// only: a password is never sent to an address it was not given for (it is typed again there).
    pub fn keeping_password_of(mut self, config: &Config) -> SetupAnswers {
        if let LockConfig::Redis { url, .. } = &config.lock {
            if let (Some(password), true) = (password_of(url), server_of(url) == server_of(&self.redis_url)) {
                self.redis_url = self.redis_url.replace(HIDDEN_PASSWORD, password);
            }
        }
        self
    }

    /// The configuration these answers make over the file at `path`, if there is one (what they do not ask,
    /// such as the tabs' names or kiosk mode, stays as it is), its key file named as kept next to it.
    pub fn config_text(&self, path: &Path) -> Result<String, SpoolError> {
        let station = self.station.trim();
        if station.is_empty() {
            return Err(invalid("station", "escriba el nombre de esta estación (por ejemplo «Armado-1»)".into()));
        }
        let url = self.redis_url.trim();
        if !url.starts_with("redis://") && !url.starts_with("rediss://") {
            return Err(invalid("lock.url", "la dirección de Redis empieza con redis:// o rediss://".into()));
        }
        if url.contains(HIDDEN_PASSWORD) {
            let reason = "escriba la clave de Redis: la guardada sirve solo para el mismo servidor y usuario";
            return Err(invalid("lock.url", reason.into()));
        }
        let prefix = match self.redis_prefix.trim() {
            "" => DEFAULT_REDIS_PREFIX,
            prefix => prefix,
        };
        let mut table = match std::fs::read_to_string(path) {
            Ok(text) => text.parse::<toml::Table>().map_err(|error| invalid("archivo", error.message().to_string()))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
            Err(error) => return Err(invalid("archivo", format!("no se pudo leer {}: {error}", path.display()))),
        };
        let mut sheets = match table.remove("sheets") {
            Some(toml::Value::Table(sheets)) => sheets,
            _ => toml::Table::new(),
        };
        sheets.insert("spreadsheet_id".into(), spreadsheet_id(&self.spreadsheet)?.into());
        match self.viewer {
            true => sheets.remove("credentials"),
            false => sheets.insert("credentials".into(), KEY_FILE.into()),
        };
        match self.endpoint.as_deref().map(str::trim).filter(|endpoint| !endpoint.is_empty()) {
            Some(endpoint) => sheets.insert("endpoint".into(), endpoint.into()),
            None => sheets.remove("endpoint"),
        };
        let mut lock = toml::Table::new();
        lock.insert("kind".into(), "redis".into());
        lock.insert("url".into(), url.into());
        lock.insert("prefix".into(), prefix.into());
        table.insert("station".into(), station.into());
        match self.viewer {
            true => table.insert("viewer".into(), true.into()),
            false => table.remove("viewer"),
        };
        table.insert("lock".into(), lock.into());
        table.insert("sheets".into(), sheets.into());
        toml::to_string(&table).map_err(|error| invalid("archivo", error.to_string()))
    }

    /// The configuration these answers make over the file at `path`, with the key where it was chosen: what is
    /// checked before anything is written.
    pub fn config(&self, path: &Path) -> Result<Config, SpoolError> {
        let mut config = Config::parse(&self.config_text(path)?)?;
        config.source = Some(path.to_path_buf());
        if let (Some(sheets), Some(key), false) = (config.sheets.as_mut(), &self.key_file, self.viewer) {
            sheets.credentials = key.clone();
        }
        Ok(config)
    }

    /// Copies the key next to `path` (the user's alone) and writes the configuration there, over any (keeping
    /// what the answers do not ask); answers the configuration as read back from the file.
    pub fn write(&self, path: &Path) -> Result<Config, SpoolError> {
        let text = self.config_text(path)?;
        // Nothing is written that would not read back.
        Config::parse(&text)?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let io = |what: &str, error: std::io::Error| invalid("archivo", format!("{what}: {error}"));
        std::fs::create_dir_all(folder).map_err(|error| io(&folder.display().to_string(), error))?;
        if !self.viewer {
            let source = self.key_file.as_deref().ok_or_else(|| {
                invalid("sheets.credentials", "elija el archivo de clave de la cuenta de servicio (.json)".into())
            })?;
            let kept = folder.join(KEY_FILE);
            // Read whole before the kept copy is replaced: the key chosen may be the kept copy itself.
            let bytes = std::fs::read(source).map_err(|error| {
                invalid("sheets.credentials", format!("no se pudo leer {}: {error}", source.display()))
            })?;
            write_private(&kept, &bytes).map_err(|error| io(&kept.display().to_string(), error))?;
        }
        write_private(path, text.as_bytes()).map_err(|error| io(&path.display().to_string(), error))?;
        Config::from_file(path)
    }
}

/// The password of a Redis URL (`redis://user:password@host`), if it has one.
fn password_of(url: &str) -> Option<&str> {
    RedisUrl::parse(url)?.password
}

/// The scheme, user and address (host and port) a Redis URL reaches, whatever its password and database.
fn server_of(url: &str) -> Option<(&str, &str, &str)> {
    RedisUrl::parse(url).map(|url| (url.scheme, url.user, url.address))
}

/// `url` with its password, if any, replaced by [`HIDDEN_PASSWORD`].
fn hiding_password(url: &str) -> String {
    match password_of(url) {
        Some(password) => url.replacen(&format!(":{password}@"), &format!(":{HIDDEN_PASSWORD}@"), 1),
        None => url.to_string(),
    }
}

/// The demo's configuration at `path`: this station's name (the host's when empty) on the embedded store, which
/// is seeded with the demo shop when it opens; answers it as read back.
pub fn write_demo(path: &Path, station: &str) -> Result<Config, SpoolError> {
    let mut table = toml::Table::new();
    if !station.trim().is_empty() {
        table.insert("station".into(), station.trim().into());
    }
    let text = toml::to_string(&table).map_err(|error| invalid("archivo", error.to_string()))?;
    let io = |error: std::io::Error| invalid("archivo", format!("{}: {error}", path.display()));
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(io)?;
    }
    write_private(path, text.as_bytes()).map_err(io)?;
    Config::from_file(path)
}

/// Writes `bytes` to `path` readable and writable by the user only, replacing it whole (never half written).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = path.with_extension("nuevo");
    // Created private: never readable by others, not even for the instant before a change of its mode.
    let _ = std::fs::remove_file(&partial);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(PRIVATE).open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LockConfig;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_password_is_hidden_whatever_characters_it_holds() {
        for (url, shown) in [
            ("redis://planta:s3creta@10.0.0.5/", "redis://planta:••••••@10.0.0.5/"),
            ("redis://planta:a/b@c@10.0.0.5:6380/2", "redis://planta:••••••@10.0.0.5:6380/2"),
            ("redis://10.0.0.5/", "redis://10.0.0.5/"),
        ] {
            assert_eq!(hiding_password(url), shown);
        }
        assert_eq!(server_of("redis://planta:a/b@c@10.0.0.5:6380/2"), Some(("redis", "planta", "10.0.0.5:6380")));
    }

    #[test]
    fn the_id_is_taken_out_of_a_pasted_url() {
        let id = "1AbC-d_E2fGhIjKlMnOpQrStUvWxYz0123456789";
        for pasted in [
            id.to_string(),
            format!(" https://docs.google.com/spreadsheets/d/{id}/edit#gid=0 "),
            format!("https://docs.google.com/spreadsheets/d/{id}/edit?usp=sharing"),
            format!("docs.google.com/spreadsheets/d/{id}"),
        ] {
            assert_eq!(spreadsheet_id(&pasted).expect("an id"), id, "{pasted}");
        }
        for wrong in ["", "https://docs.google.com/document/d/x y/edit", "planilla de producción"] {
            assert!(matches!(spreadsheet_id(wrong), Err(SpoolError::ConfigInvalid { .. })), "{wrong}");
        }
    }

    #[test]
    fn the_written_files_read_back_as_answered_and_are_the_user_s_alone() {
        let folder = tempfile::tempdir().expect("temp dir");
        let key = folder.path().join("descargada.json");
        std::fs::write(&key, "{\"type\": \"service_account\"}").expect("key");
        let answers = SetupAnswers {
            station: "Armado \"1\"".into(),
            spreadsheet: "https://docs.google.com/spreadsheets/d/planilla-1/edit".into(),
            key_file: Some(key),
            redis_url: "redis://spooltrack:clave@10.0.0.5:6379/".into(),
            redis_prefix: String::new(),
            viewer: false,
            endpoint: Some("http://127.0.0.1:9/".into()),
        };
        let target = folder.path().join("spooltrack");
        let config = answers.write(&target.join("config.toml")).expect("written");
        assert_eq!(config.station, "Armado \"1\"");
        let sheets = config.sheets.expect("sheets");
        assert_eq!((sheets.spreadsheet_id.as_str(), sheets.endpoint.as_str()), ("planilla-1", "http://127.0.0.1:9/"));
        assert_eq!(sheets.credentials, target.join(KEY_FILE));
        let url = "redis://spooltrack:clave@10.0.0.5:6379/".to_string();
        assert_eq!(config.lock, LockConfig::Redis { url, prefix: DEFAULT_REDIS_PREFIX.into() });
        for file in [target.join(KEY_FILE), target.join("config.toml")] {
            let mode = std::fs::metadata(&file).expect("written").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        assert_eq!(std::fs::read_to_string(target.join(KEY_FILE)).expect("kept"), "{\"type\": \"service_account\"}");
        let checked = answers.config(&folder.path().join("otra.toml")).expect("the configuration to check");
        assert_eq!(checked.sheets.expect("sheets").credentials, folder.path().join("descargada.json"), "as chosen");
    }

    #[test]
    fn answers_given_again_keep_what_they_do_not_ask_and_never_show_the_redis_password() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("config.toml");
        std::fs::write(folder.path().join(KEY_FILE), "{\"type\": \"service_account\"}").expect("key");
        let by_hand = format!(
            "station = \"Armado-1\"\nkiosk = true\n[lock]\nkind = \"redis\"\nurl = \"redis://planta:s3creta@10.0.0.5/\"\n\
             prefix = \"planta1\"\n[sheets]\nspreadsheet_id = \"planilla-1\"\ncredentials = \"{KEY_FILE}\"\n\
             refresh_seconds = 45\n[sheets.tabs]\noperaciones = \"Spools\"\n"
        );
        std::fs::write(&path, by_hand).expect("written");
        let current = Config::from_file(&path).expect("read");

        let shown = SetupAnswers::of(&current);
        assert_eq!(shown.redis_url, format!("redis://planta:{HIDDEN_PASSWORD}@10.0.0.5/"));
        assert_eq!(
            (shown.station.as_str(), shown.spreadsheet.as_str(), shown.redis_prefix.as_str()),
            ("Armado-1", "planilla-1", "planta1")
        );
        assert_eq!((shown.key_file, shown.endpoint, shown.viewer), (Some(folder.path().join(KEY_FILE)), None, false));

        // The password stays hidden and kept for the same server, and is never sent to another one.
        let elsewhere = SetupAnswers {
            redis_url: format!("redis://planta:{HIDDEN_PASSWORD}@10.0.0.66/"),
            ..SetupAnswers::of(&current)
        }
        .keeping_password_of(&current);
        assert!(!elsewhere.redis_url.contains("s3creta"), "{}", elsewhere.redis_url);
        assert!(matches!(elsewhere.config(&path), Err(SpoolError::ConfigInvalid { key, .. }) if key == "lock.url"));
        let renamed =
            SetupAnswers { station: "Armado-2".into(), ..SetupAnswers::of(&current) }.keeping_password_of(&current);
        let config = renamed.write(&path).expect("written over the kept key itself");
        assert_eq!(config.station, "Armado-2");
        assert_eq!(
            config.lock,
            LockConfig::Redis { url: "redis://planta:s3creta@10.0.0.5/".into(), prefix: "planta1".into() }
        );
        let sheets = config.sheets.as_ref().expect("sheets");
        assert_eq!((config.kiosk, sheets.refresh_seconds, sheets.tabs.operaciones.as_str()), (true, 45, "Spools"));
        assert_eq!(
            std::fs::read_to_string(folder.path().join(KEY_FILE)).expect("kept"),
            "{\"type\": \"service_account\"}"
        );

        let retyped = SetupAnswers { redis_url: "redis://planta:nueva@10.0.0.6/".into(), ..SetupAnswers::of(&config) };
        let url = |answers: SetupAnswers| match answers.keeping_password_of(&config).config(&path).expect("valid").lock
        {
            LockConfig::Redis { url, .. } => url,
            other => panic!("{other:?}"),
        };
        assert_eq!(url(retyped), "redis://planta:nueva@10.0.0.6/");
        // A kept kiosk cannot become a viewer: said, not written.
        let viewer = SetupAnswers { viewer: true, ..SetupAnswers::of(&config) }.keeping_password_of(&config);
        assert!(matches!(viewer.write(&path), Err(SpoolError::ConfigInvalid { key, .. }) if key == "kiosk"));
        assert!(Config::from_file(&path).expect("unchanged").kiosk);
    }

    #[test]
    fn the_demo_is_the_embedded_default_under_the_station_s_name() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("nueva").join("config.toml");
        let config = write_demo(&path, " Taller ").expect("written");
        assert_eq!((config.station.as_str(), config.sheets.is_none()), ("Taller", true));
        assert_eq!(config.lock, LockConfig::Local { single_station: false });
        assert_eq!(write_demo(&path, "").expect("written").station, Config::embedded_default().station);
    }

    #[test]
    fn a_viewer_needs_no_key_and_bad_answers_are_named() {
        let folder = tempfile::tempdir().expect("temp dir");
        let viewer = SetupAnswers {
            station: "Pantalla".into(),
            spreadsheet: "planilla-1".into(),
            redis_url: "redis://10.0.0.5/".into(),
            redis_prefix: "planta1".into(),
            viewer: true,
            ..SetupAnswers::default()
        };
        let config = viewer.write(&folder.path().join("config.toml")).expect("written");
        assert!(config.viewer && !folder.path().join(KEY_FILE).exists());

        let key = |answers: SetupAnswers| match answers.write(&folder.path().join("config.toml")) {
            Err(SpoolError::ConfigInvalid { key, .. }) => key,
            other => panic!("refused: {other:?}"),
        };
        assert_eq!(key(SetupAnswers { station: " ".into(), ..viewer.clone() }), "station");
        assert_eq!(key(SetupAnswers { redis_url: "10.0.0.5".into(), ..viewer.clone() }), "lock.url");
        assert_eq!(key(SetupAnswers { spreadsheet: "no es".into(), ..viewer.clone() }), "planilla");
        let missing = folder.path().join("no-existe.json");
        let keyed = SetupAnswers { viewer: false, key_file: Some(missing), ..viewer.clone() };
        assert_eq!(key(keyed), "sheets.credentials");
        assert_eq!(key(SetupAnswers { viewer: false, ..viewer }), "sheets.credentials");
    }
}

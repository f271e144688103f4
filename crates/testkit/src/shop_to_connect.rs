//! A shop for a station's setup to connect to: the standard shop behind the Sheets fake, a real Redis, and a
//! folder of the station's own holding the fake's service-account key.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::{RedisServer, SheetsFake};

pub struct ShopToConnect {
    pub fake: SheetsFake,
    pub redis: RedisServer,
    pub folder: TempDir,
    /// The service-account key the fake signs in.
    pub key: PathBuf,
}

impl ShopToConnect {
    pub async fn start(spreadsheet_id: &str) -> ShopToConnect {
        let fake = SheetsFake::standard(spreadsheet_id).await;
        let redis = RedisServer::start();
        let folder = tempfile::tempdir().expect("temp dir");
        let key = fake.write_service_account_key(folder.path());
        ShopToConnect { fake, redis, folder, key }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Where a first start with its data in this folder writes the configuration.
    pub fn config(&self) -> PathBuf {
        self.path().join("estacion").join("config.toml")
    }

    /// A JSON file in the folder that is no service-account key.
    pub fn not_a_key(&self) -> PathBuf {
        let path = self.path().join("foto.json");
        std::fs::write(&path, "{\"no\": \"es una clave\"}").expect("written");
        path
    }
}

//! The store file edited by hand (a row pushed above the header) and opened by an older version (locks without
//! their grant time): refused or carried over plainly, never a panic.

use spooltrack_core::{LockService, Store};
use spooltrack_domain::{schema::Tab, schema::TabNames, ErrorCode};
use spooltrack_embedded::{EmbeddedLock, EmbeddedStore};
use spooltrack_testkit::fixture;

#[tokio::test]
async fn a_row_above_the_header_is_data_corrupt_naming_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("shop.db");
    let store = EmbeddedStore::open(&path, TabNames::default()).expect("store");
    store.replace(fixture::standard_shop().grids()).await.expect("seeded");
    let file = rusqlite::Connection::open(&path).expect("file");
    file.execute("INSERT INTO sheet_rows (tab, position, cells) VALUES ('Operaciones', -3, '[\"S-MANUAL\"]')", [])
        .expect("a row put by hand");

    let error = store.read(&[Tab::Operaciones]).await.expect_err("refused, not a panic");
    assert_eq!(error.code(), ErrorCode::DataCorrupt);
    assert!(error.to_string().contains("S-MANUAL") && error.to_string().contains("-3"), "{error}");
    store.read(&[Tab::Trabajadores]).await.expect("the other tabs still read");
}

#[tokio::test]
async fn a_file_from_before_grant_times_keeps_its_locks() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("old.db");
    let file = rusqlite::Connection::open(&path).expect("file");
    file.execute_batch(
        "CREATE TABLE spool_locks (tag TEXT PRIMARY KEY, worker_id INTEGER NOT NULL, worker TEXT NOT NULL,
             operation TEXT NOT NULL, station TEXT NOT NULL, since TEXT NOT NULL, token TEXT NOT NULL,
             fence INTEGER NOT NULL);
         INSERT INTO spool_locks VALUES ('S-001', 93, 'MR(93)', 'ARM', 'vieja', '2025-03-07 08:15:00', 't', 4);",
    )
    .expect("an old file");
    drop(file);

    let lock = EmbeddedLock::open(&path).expect("opens and adds the new columns");
    let held = lock.inspect(&["S-001".to_string()]).await.expect("inspected").remove(0).expect("kept");
    assert_eq!((held.holder.worker_id, held.fence), (93, 4));
    assert!(held.age > std::time::Duration::from_secs(3600), "an unknown grant time reads as long ago");
}

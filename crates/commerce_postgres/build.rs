//! Rebuilds when a migration changes, and hands the migrations' fingerprint to the crate so
//! test templates are rebuilt when the schema changes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut hasher = DefaultHasher::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|read| read.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for migration in entries {
        println!("cargo:rerun-if-changed={}", migration.display());
        migration.hash(&mut hasher);
        for file in ["up.sql", "down.sql"] {
            std::fs::read(migration.join(file))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
    }
    println!(
        "cargo:rustc-env=HC_MIGRATIONS_FINGERPRINT={:016x}",
        hasher.finish()
    );
}

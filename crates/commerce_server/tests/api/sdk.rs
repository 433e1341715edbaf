//! The published TypeScript SDK, unchanged, against this server (SPEC §0). The SDK is installed
//! from npm into `tests/sdk/node_modules` (ignored by git) the first time.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::TestApp;

/// Where the SDK scripts live.
pub fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Installs the SDK once (idempotent).
pub fn install_sdk() {
    let dir = sdk_dir();
    if dir
        .join("node_modules/@headless-commerce/sdk/package.json")
        .exists()
    {
        return;
    }
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--loglevel=error",
        ])
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("npm must be installed to run the SDK compatibility test: {e}"));
    assert!(
        status.success(),
        "npm install of @headless-commerce/sdk@0.2.0 failed"
    );
}

#[tokio::test]
async fn the_published_sdk_works_unchanged() {
    tokio::task::spawn_blocking(install_sdk).await.unwrap();
    let app = TestApp::spawn().await;
    let output = tokio::process::Command::new("node")
        .arg("compat.mjs")
        .current_dir(sdk_dir())
        .env("HC_BASE_URL", format!("{}/v1", app.base))
        .env("HC_PK", &app.publishable)
        .env("HC_SK", &app.secret)
        .env("HC_SANDBOX_URL", app.sandbox.base_url())
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("node must be installed to run the SDK compatibility test: {e}")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the SDK script failed:\n{stdout}");
    assert!(stdout.contains("8 passed, 0 failed"), "{stdout}");
}

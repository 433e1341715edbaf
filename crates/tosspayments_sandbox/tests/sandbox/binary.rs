//! The `toss-sandbox` binary serves the same API.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{basic, SECRET_KEY};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_listens_where_told_and_answers_like_toss() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _child = Running(
        Command::new(env!("CARGO_BIN_EXE_toss-sandbox"))
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/v1/payments/unknown");
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(response) = client
            .get(&url)
            .header("authorization", basic(SECRET_KEY))
            .send()
            .await
        {
            answer = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let response = answer.expect("the binary never answered");
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND_PAYMENT");
}

#[test]
fn unknown_arguments_are_refused_with_the_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_toss-sandbox"))
        .arg("--frobnicate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: toss-sandbox"));
}

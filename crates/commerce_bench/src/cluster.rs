//! A local cluster for benchmarks and drills: a scratch database, the `toss-sandbox` binary,
//! and N `headless-commerce serve` processes sharing the database, all on loopback ports.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Where the other binaries of this build profile are.
fn bin(name: &str) -> PathBuf {
    let dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(name)
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The database server the harness uses.
pub fn server_url() -> String {
    std::env::var("BENCH_DATABASE_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Runs one SQL statement on `database` with psql; returns its output.
pub fn psql(database: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-Atqc",
            sql,
        ])
        .output();
    match output {
        Ok(out) => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Err(e) => panic!("psql failed: {e}"),
    }
}

/// One `serve` process.
pub struct Server {
    /// `http://127.0.0.1:port`.
    pub base: String,
    child: Child,
    port: u16,
    env: Vec<(String, String)>,
}

/// The cluster.
pub struct Cluster {
    /// The database name.
    pub database: String,
    /// The sandbox's base URL.
    pub sandbox: String,
    /// The servers.
    pub servers: Vec<Server>,
    /// A publishable test key.
    pub pk: String,
    /// A secret test key.
    pub sk: String,
    sandbox_child: Child,
    /// The HTTP client the harness uses.
    pub http: reqwest::Client,
}

const TOSS_KEY: &str = "test_sk_bench";

fn spawn_server(env: &[(String, String)]) -> Child {
    Command::new(bin("headless-commerce"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start headless-commerce: {e} (build it first)"))
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} never became ready");
}

fn create_key(database_url: &str, kind: &str) -> String {
    let out = Command::new(bin("headless-commerce"))
        .args(["keys", "create", "--kind", kind, "--name", "bench"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap_or_else(|e| panic!("keys create: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find(|w| w.starts_with("pk_") || w.starts_with("sk_"))
        .unwrap_or_else(|| panic!("no key printed: {text}"))
        .to_owned()
}

impl Cluster {
    /// Starts `servers` processes on a fresh database `name`, with extra environment.
    pub async fn start(name: &str, servers: usize, extra: &[(&str, &str)]) -> Cluster {
        psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        Self::reopen(name, servers, extra).await
    }

    /// Starts `servers` processes on database `name` as it is (created if missing).
    pub async fn reopen(name: &str, servers: usize, extra: &[(&str, &str)]) -> Cluster {
        let database_url = format!("{}/{name}", server_url());
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        let ports: Vec<u16> = (0..servers).map(|_| free_port()).collect();
        let sandbox_port = free_port();
        let sandbox = format!("http://127.0.0.1:{sandbox_port}");
        let first = ports.first().copied().unwrap_or(0);
        let sandbox_child = Command::new(bin("toss-sandbox"))
            .args([
                "--bind",
                &format!("127.0.0.1:{sandbox_port}"),
                "--secret-key",
                TOSS_KEY,
                "--fault-delay-ms",
                "2000",
            ])
            .args([
                "--webhook-url",
                &format!("http://127.0.0.1:{first}/v1/webhooks/tosspayments"),
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start toss-sandbox: {e} (build it first)"));
        let mut started = Vec::new();
        for (n, port) in ports.iter().enumerate() {
            let mut env: Vec<(String, String)> = vec![
                ("DATABASE_URL".into(), database_url.clone()),
                ("HC_BIND".into(), format!("127.0.0.1:{port}")),
                ("TOSS_SECRET_KEY".into(), TOSS_KEY.into()),
                ("TOSS_API_BASE".into(), sandbox.clone()),
                ("HC_TOSS_TIMEOUT_MS".into(), "1000".into()),
                ("HC_CONFIG".into(), "/nonexistent/headless-commerce".into()),
                ("RUST_LOG".into(), "error".into()),
            ];
            env.extend(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            let child = spawn_server(&env);
            let base = format!("http://127.0.0.1:{port}");
            if n == 0 {
                wait_healthy(&http, &base).await;
            }
            started.push(Server {
                base,
                child,
                port: *port,
                env,
            });
        }
        for server in &started {
            wait_healthy(&http, &server.base).await;
        }
        let sk = create_key(&database_url, "secret");
        let pk = create_key(&database_url, "publishable");
        Cluster {
            database: name.to_owned(),
            sandbox,
            servers: started,
            pk,
            sk,
            sandbox_child,
            http,
        }
    }

    /// A server's pid.
    pub fn pid(&self, n: usize) -> u32 {
        self.servers.get(n).map_or(0, |s| s.child.id())
    }

    /// The sandbox's pid.
    pub fn sandbox_pid(&self) -> u32 {
        self.sandbox_child.id()
    }

    /// Collects a server process killed from outside (`kill -9 <pid>`).
    pub fn reap(&mut self, n: usize) {
        if let Some(server) = self.servers.get_mut(n) {
            let _ = server.child.wait();
        }
    }

    /// Starts a killed server again on its port.
    pub async fn restart(&mut self, n: usize) {
        if let Some(server) = self.servers.get_mut(n) {
            server.child = spawn_server(&server.env);
            let base = format!("http://127.0.0.1:{}", server.port);
            wait_healthy(&self.http, &base).await;
        }
    }

    /// A product with one variant per (name, price, stock); returns (product id, variant ids).
    pub async fn seed(&self, slug: &str, variants: &[(&str, i64, i64)]) -> (String, Vec<String>) {
        let base = &self.servers[0].base;
        let product = self
            .post_as(
                &self.sk,
                &format!("{base}/v1/admin/products"),
                json!({"name": slug, "slug": slug}),
            )
            .await;
        let product_id = product["id"].as_str().unwrap_or_default().to_owned();
        let mut ids = Vec::new();
        for (name, price, stock) in variants {
            let v = self
                .post_as(
                    &self.sk,
                    &format!("{base}/v1/admin/products/{product_id}/variants"),
                    json!({"name": name, "price": price}),
                )
                .await;
            let inventory = v["inventory_item_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            self.post_as(
                &self.sk,
                &format!("{base}/v1/admin/inventory/{inventory}/adjust"),
                json!({"quantity": stock}),
            )
            .await;
            ids.push(v["id"].as_str().unwrap_or_default().to_owned());
        }
        (product_id, ids)
    }

    /// A cart holding one of each variant; returns its id.
    pub async fn cart_with(&self, variants: &[String]) -> String {
        let base = &self.servers[0].base;
        let cart = self
            .post_as(&self.pk, &format!("{base}/v1/storefront/carts"), json!({}))
            .await;
        let id = cart["id"].as_str().unwrap_or_default().to_owned();
        for variant in variants {
            let url = format!("{base}/v1/storefront/carts/{id}/items");
            self.post_as(
                &self.pk,
                &url,
                json!({"variant_id": variant, "quantity": 1}),
            )
            .await;
        }
        id
    }

    /// Registers an outbound webhook endpoint for every event at `url`.
    pub async fn subscribe(&self, url: &str) {
        let base = &self.servers[0].base;
        self.post_as(
            &self.sk,
            &format!("{base}/v1/admin/webhooks"),
            json!({"url": url, "events": ["*"]}),
        )
        .await;
    }

    /// A set-up POST with `key`; its JSON answer (null when it has none). The harness cannot
    /// go on without the server, so no answer at all stops the run.
    async fn post_as(&self, key: &str, url: &str, body: Value) -> Value {
        match self
            .http
            .post(url)
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(e) => panic!("{url}: {e}"),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for server in &mut self.servers {
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
        let _ = self.sandbox_child.kill();
        let _ = self.sandbox_child.wait();
    }
}

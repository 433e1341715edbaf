//! `hc-bench drill`: the reliability drills, each ending with the invariant check, written to
//! `docs/reliability.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

use crate::cluster::{psql, Cluster};
use crate::invariants::{check, render, settle, Check};
use crate::load::{self, Samples};
use crate::machine;

const PRICE: i64 = 15_000;

/// Settings that make the jobs act within the drill's time: confirms left open are reconciled
/// after 2 s and retried 5 s after a failed try, the delivery worker polls every 200 ms.
const FAST_JOBS: [(&str, &str); 4] = [
    ("HC_RECONCILE_AFTER_SECS", "2"),
    ("HC_JOB_LEASE_SECS", "5"),
    ("HC_RECONCILE_INTERVAL_SECS", "1"),
    ("HC_WEBHOOK_INTERVAL_MS", "200"),
];

/// One drill's outcome.
struct Outcome {
    title: &'static str,
    setup: String,
    figures: Vec<String>,
    checks: Vec<Check>,
    seconds: f64,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

/// A merchant endpoint that accepts every delivery; returns its URL.
fn receiver() -> String {
    let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
        return String::new();
    };
    let url = format!(
        "http://{}/hooks",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    if let Ok(server) =
        HttpServer::new(|| App::new().default_service(web::to(HttpResponse::NoContent)))
            .listen(listener)
            .map(|s| s.workers(1).disable_signals().run())
    {
        tokio::spawn(server);
    }
    url
}

/// A storefront checking out one unit of each variant on `base` (untimed).
async fn checkout(cluster: &Cluster, base: &str, variants: &[String]) -> (u16, Value) {
    let mut untimed = Samples::default();
    load::checkout(&cluster.http, base, &cluster.pk, variants, &mut untimed).await
}

/// A customer paying for `order` and the storefront confirming, retried up to `attempts`
/// times on a 5xx or no answer (untimed).
async fn pay(
    cluster: &Cluster,
    base: &str,
    order: &Value,
    method: &str,
    attempts: u32,
) -> (u16, Value) {
    let mut untimed = Samples::default();
    let (http, sandbox, pk) = (&cluster.http, &cluster.sandbox, &cluster.pk);
    load::pay(
        http,
        sandbox,
        base,
        pk,
        order,
        method,
        attempts,
        &mut untimed,
    )
    .await
}

fn tally(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 3 servers on one database; 500 concurrent checkouts for a variant with stock 100.
async fn oversell() -> Outcome {
    let started = Instant::now();
    let cluster = Arc::new(Cluster::start("hc_drill_oversell", 3, &FAST_JOBS).await);
    let (_, variants) = cluster.seed("last-100", &[("One size", PRICE, 100)]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..500 {
        let (cluster, variants) = (cluster.clone(), variants.clone());
        tasks.spawn(async move {
            let base = cluster.servers[n % cluster.servers.len()].base.clone();
            let (status, body) = checkout(&cluster, &base, &variants).await;
            format!("{status} {}", body["error"]["code"].as_str().unwrap_or(""))
        });
    }
    let mut counts = BTreeMap::new();
    while let Some(result) = tasks.join_next().await {
        *counts
            .entry(
                result
                    .unwrap_or_else(|_| "panicked".into())
                    .trim()
                    .to_owned(),
            )
            .or_insert(0_u64) += 1;
    }
    let orders = psql(&cluster.database, "SELECT count(*) FROM orders");
    let mut checks = vec![Check {
        name: "exactly 100 orders for 100 units".into(),
        ok: orders == "100",
        detail: format!("{orders} orders"),
    }];
    checks.extend(check(&cluster, &[(variants[0].clone(), 100)]).await);
    Outcome {
        title: "500 concurrent checkouts, stock 100, 3 serve processes",
        setup: "3 `serve` processes on one database; 500 tasks at once, spread over the three, each creating a cart with 1 unit and checking out.".into(),
        figures: vec![format!("checkout answers: {}", tally(&counts))],
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Paying flows for `duration` at `concurrency`, spread over the cluster's servers; answers
/// of the confirm tallied by status and code.
async fn paying_load(
    cluster: &Arc<Cluster>,
    variants: &[String],
    concurrency: usize,
    duration: Duration,
    attempts: u32,
) -> BTreeMap<String, u64> {
    let deadline = Instant::now() + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let (cluster, variants) = (cluster.clone(), variants.to_vec());
        tasks.spawn(async move {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            while Instant::now() < deadline {
                let base = cluster.servers[worker % cluster.servers.len()].base.clone();
                let (status, order) = checkout(&cluster, &base, &variants).await;
                let key = if status == 201 || status == 200 {
                    let (status, body) = pay(&cluster, &base, &order, "CARD", attempts).await;
                    format!(
                        "confirm {status} {}",
                        body["error"]["code"]
                            .as_str()
                            .or(body["status"].as_str())
                            .unwrap_or("")
                    )
                } else {
                    if status == 0 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    format!(
                        "checkout {status} {}",
                        order["error"]["code"].as_str().unwrap_or("")
                    )
                };
                *counts.entry(key.trim().to_owned()).or_default() += 1;
            }
            counts
        });
    }
    let mut all = BTreeMap::new();
    while let Some(Ok(counts)) = tasks.join_next().await {
        for (k, v) in counts {
            *all.entry(k).or_insert(0) += v;
        }
    }
    all
}

/// Toss fails 30% of calls (timeouts, 500s, resets) during a paying load.
async fn toss_outage(quick: bool) -> Outcome {
    let started = Instant::now();
    let cluster = Arc::new(Cluster::start("hc_drill_outage", 2, &FAST_JOBS).await);
    cluster.subscribe(&receiver()).await;
    let stock = 1_000_000;
    let (_, variants) = cluster
        .seed("outage-tee", &[("S", PRICE, stock), ("M", PRICE, stock)])
        .await;
    let fault = |percent: u32| {
        cluster
            .http
            .post(format!("{}/sandbox/v1/faults", cluster.sandbox))
            .json(&json!({ "percent": percent }))
            .send()
    };
    let _ = fault(30).await;
    let seconds = if quick { 8 } else { 20 };
    let counts = paying_load(&cluster, &variants, 16, Duration::from_secs(seconds), 3).await;
    let _ = fault(0).await;
    settle(&cluster, Duration::from_secs(90)).await;
    let initial: Vec<(String, i64)> = variants.iter().map(|v| (v.clone(), stock)).collect();
    Outcome {
        title: "Toss outage: 30% of Toss calls fail",
        setup: format!("2 `serve` processes, Toss client timeout 1 s; sandbox fails 30% of its API calls (a third each: held 2 s past the timeout after processing, HTTP 500 before processing, connection reset after processing); 16 storefronts pay for {seconds} s, retrying a confirm that got a 5xx or no answer up to 3 times; then the faults stop and reconciliation runs."),
        figures: vec![format!("final answers: {}", tally(&counts))],
        checks: check(&cluster, &initial).await,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// kill -9 of one of two servers in the middle of a confirm-heavy load, then a restart.
async fn kill_server(quick: bool) -> Outcome {
    let started = Instant::now();
    let shared = Arc::new(Cluster::start("hc_drill_kill", 2, &FAST_JOBS).await);
    shared.subscribe(&receiver()).await;
    let stock = 1_000_000;
    let (_, variants) = shared
        .seed("kill-tee", &[("S", PRICE, stock), ("M", PRICE, stock)])
        .await;
    let seconds = if quick { 6 } else { 15 };
    let load = {
        let (shared, variants) = (shared.clone(), variants.clone());
        tokio::spawn(async move {
            paying_load(&shared, &variants, 24, Duration::from_secs(seconds), 1).await
        })
    };
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    let victim = shared.pid(1);
    let _ = Command::new("kill")
        .args(["-9", &victim.to_string()])
        .status();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counts = load.await.unwrap_or_default();
    let Ok(mut cluster) = Arc::try_unwrap(shared) else {
        return failed(
            "kill -9 of a serve process",
            "the load did not let go of the cluster",
        );
    };
    cluster.reap(1);
    cluster.restart(1).await;
    settle(&cluster, Duration::from_secs(90)).await;
    let confirming = psql(
        &cluster.database,
        "SELECT count(*) FROM payments WHERE status = 'confirming'",
    );
    let initial: Vec<(String, i64)> = variants.iter().map(|v| (v.clone(), stock)).collect();
    let mut checks = vec![Check {
        name: "no payment left confirming after reconciliation".into(),
        ok: confirming == "0",
        detail: format!("{confirming} confirming"),
    }];
    checks.extend(check(&cluster, &initial).await);
    Outcome {
        title: "kill -9 of a serve process during a confirm-heavy load",
        setup: format!("2 `serve` processes; 24 storefronts pay for {seconds} s (no retries); at {} s the second process gets SIGKILL (requests in flight on it are lost mid-confirm); it is restarted after the load and reconciliation settles what was left confirming.", seconds / 3),
        figures: vec![format!("final answers: {}", tally(&counts))],
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn failed(title: &'static str, why: &str) -> Outcome {
    Outcome {
        title,
        setup: String::new(),
        figures: vec![],
        checks: vec![Check {
            name: "drill ran".into(),
            ok: false,
            detail: why.to_owned(),
        }],
        seconds: 0.0,
    }
}

/// 1,000 duplicate and out-of-order Toss webhooks while virtual accounts are paid and
/// cancelled.
async fn webhook_storm() -> Outcome {
    let started = Instant::now();
    let cluster = Arc::new(Cluster::start("hc_drill_webhooks", 2, &FAST_JOBS).await);
    cluster.subscribe(&receiver()).await;
    let stock = 1000;
    let (_, variants) = cluster.seed("va-tee", &[("S", PRICE, stock)]).await;
    let base = cluster.servers[0].base.clone();
    let mut keys = Vec::new();
    for _ in 0..50 {
        let (_, order) = checkout(&cluster, &base, &variants).await;
        let (_, confirmed) = pay(&cluster, &base, &order, "VIRTUAL_ACCOUNT", 1).await;
        let key = psql(
            &cluster.database,
            &format!(
                "SELECT payment_key FROM payments WHERE order_id = '{}'",
                order["id"].as_str().unwrap_or_default()
            ),
        );
        if confirmed.is_null() || key.is_empty() {
            return failed(
                "1,000 duplicate and out-of-order webhooks",
                "a virtual account could not be issued",
            );
        }
        keys.push(key);
    }
    let storm = {
        let (cluster, keys) = (cluster.clone(), keys.clone());
        tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for n in 0..1000_usize {
                let (cluster, key) = (cluster.clone(), keys[(n * 7) % keys.len()].clone());
                tasks.spawn(async move {
                    let claimed = ["WAITING_FOR_DEPOSIT", "DONE", "CANCELED"][n % 3];
                    let transmission = if n % 2 == 0 { format!("drill-{}", n % 100) } else { format!("drill-unique-{n}") };
                    let body = json!({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": format!("2026-11-26T12:00:{:02}.{n:06}", n % 60),
                                      "data": {"paymentKey": key, "status": claimed}});
                    let base = &cluster.servers[n % cluster.servers.len()].base;
                    let answer = cluster
                        .http
                        .post(format!("{base}/v1/webhooks/tosspayments"))
                        .header("tosspayments-webhook-transmission-id", transmission)
                        .json(&body)
                        .send()
                        .await;
                    answer.map_or(0, |r| r.status().as_u16())
                });
            }
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            while let Some(Ok(status)) = tasks.join_next().await {
                *counts.entry(format!("HTTP {status}")).or_default() += 1;
            }
            counts
        })
    };
    for (n, key) in keys.iter().enumerate() {
        let _ = cluster
            .http
            .post(format!(
                "{}/sandbox/v1/payments/{key}/deposit",
                cluster.sandbox
            ))
            .send()
            .await;
        if n % 2 == 0 {
            let _ = cluster
                .http
                .post(format!(
                    "{}/sandbox/v1/payments/{key}/cancel",
                    cluster.sandbox
                ))
                .json(&json!({"cancelReason": "고객 변심"}))
                .send()
                .await;
        }
    }
    let counts = storm.await.unwrap_or_default();
    let late = {
        let mut late: BTreeMap<String, u64> = BTreeMap::new();
        for (n, key) in keys.iter().enumerate() {
            let body = json!({"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": key, "status": "WAITING_FOR_DEPOSIT"}, "createdAt": format!("2026-11-26T11:00:00.{n:06}")});
            let status = cluster
                .http
                .post(format!("{base}/v1/webhooks/tosspayments"))
                .json(&body)
                .send()
                .await
                .map_or(0, |r| r.status().as_u16());
            *late.entry(format!("HTTP {status}")).or_default() += 1;
        }
        late
    };
    settle(&cluster, Duration::from_secs(30)).await;
    let db = &cluster.database;
    let per_order = psql(
        db,
        "SELECT count(*) FILTER (WHERE type = 'payment.completed') || '|' || count(*) FILTER (WHERE type = 'payment.refunded')
              || '|' || count(*) FILTER (WHERE type = 'order.cancelled') || '|' || (SELECT count(*) FROM refunds)
              || '|' || (SELECT count(*) FROM payments WHERE status = 'completed') || '|' || (SELECT count(*) FROM payments WHERE status = 'refunded')
         FROM events",
    );
    let figures: Vec<i64> = per_order
        .split('|')
        .filter_map(|v| v.parse().ok())
        .collect();
    let duplicated = psql(
        db,
        "SELECT count(*) FROM (SELECT order_id, type FROM events GROUP BY 1, 2 HAVING count(*) > 1) d",
    );
    let mut checks = vec![Check {
        name: "each state applied once: 50 paid, 25 refunded, one event and one refund each".into(),
        ok: figures == [50, 25, 25, 25, 25, 25] && duplicated == "0",
        detail: format!(
            "payment.completed {}, payment.refunded {}, order.cancelled {}, refunds {}, payments completed {} / refunded {}; (order, event type) pairs seen twice: {duplicated}",
            figures.first().unwrap_or(&-1), figures.get(1).unwrap_or(&-1), figures.get(2).unwrap_or(&-1),
            figures.get(3).unwrap_or(&-1), figures.get(4).unwrap_or(&-1), figures.get(5).unwrap_or(&-1)
        ),
    }];
    checks.extend(check(&cluster, &[(variants[0].clone(), stock)]).await);
    Outcome {
        title: "1,000 duplicate and out-of-order Toss webhooks",
        setup: "2 `serve` processes; 50 virtual accounts issued; while the sandbox records a deposit on each and then cancels every second one (sending its own webhooks), 1,000 `PAYMENT_STATUS_CHANGED` deliveries claiming WAITING_FOR_DEPOSIT, DONE or CANCELED hit both processes at once, half of them reusing 100 transmission ids; then 50 stale WAITING_FOR_DEPOSIT deliveries arrive last.".into(),
        figures: vec![format!("storm answers: {}", tally(&counts)), format!("stale answers: {}", tally(&late))],
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// PostgreSQL restarted (fast shutdown: every connection dropped) in the middle of a paying
/// load; the server must recover on its own, answer JSON errors meanwhile, and keep the money
/// straight.
async fn postgres_restart(quick: bool) -> Outcome {
    let started = Instant::now();
    let Some(version) = std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|mut d| d.next())
        .and_then(Result::ok)
    else {
        return failed(
            "PostgreSQL restarted during load",
            "no cluster under /etc/postgresql to restart",
        );
    };
    let version = version.file_name().to_string_lossy().into_owned();
    let cluster = Arc::new(Cluster::start("hc_drill_pg", 1, &FAST_JOBS).await);
    cluster.subscribe(&receiver()).await;
    let stock = 1_000_000;
    let (_, variants) = cluster
        .seed("pg-tee", &[("S", PRICE, stock), ("M", PRICE, stock)])
        .await;
    let seconds = if quick { 8 } else { 15 };
    let load = {
        let (cluster, variants) = (cluster.clone(), variants.clone());
        tokio::spawn(async move {
            paying_load(&cluster, &variants, 8, Duration::from_secs(seconds), 3).await
        })
    };
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    let restart = tokio::task::spawn_blocking(move || {
        Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version, "main", "restart"])
            .status()
            .is_ok_and(|s| s.success())
    })
    .await
    .unwrap_or(false);
    let counts = load.await.unwrap_or_default();
    let base = cluster.servers[0].base.clone();
    let (status, order) = checkout(&cluster, &base, &variants).await;
    let after = if status == 201 {
        pay(&cluster, &base, &order, "CARD", 1).await.1["status"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    } else {
        format!("checkout {status}")
    };
    settle(&cluster, Duration::from_secs(90)).await;
    let unshaped: u64 = counts
        .iter()
        .filter(|(k, _)| {
            let mut words = k.split_whitespace().skip(1);
            let status: u16 = words.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            (status >= 500 || status == 0) && words.next().is_none()
        })
        .map(|(_, v)| v)
        .sum();
    let initial: Vec<(String, i64)> = variants.iter().map(|v| (v.clone(), stock)).collect();
    let mut checks = vec![
        Check {
            name: "PostgreSQL was restarted".into(),
            ok: restart,
            detail: format!(
                "pg_ctlcluster restart: {}",
                if restart { "ok" } else { "failed" }
            ),
        },
        Check {
            name: "errors meanwhile are JSON with a code".into(),
            ok: unshaped == 0,
            detail: format!("{unshaped} answers without a JSON error code"),
        },
        Check {
            name: "the same process serves again without a restart".into(),
            ok: after == "confirmed",
            detail: format!("a fresh checkout and confirm after the restart: {after}"),
        },
    ];
    checks.extend(check(&cluster, &initial).await);
    Outcome {
        title: "PostgreSQL restarted during load",
        setup: format!("1 `serve` process; 8 storefronts pay for {seconds} s, retrying a confirm that got a 5xx up to 3 times; at {} s PostgreSQL is restarted (`pg_ctlcluster … restart`, fast shutdown: every connection dropped).", seconds / 3),
        figures: vec![format!("answers: {}", tally(&counts))],
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The malformed-input pass over every route of the OpenAPI document.
async fn malformed_input() -> Outcome {
    let started = Instant::now();
    let cluster = Cluster::start("hc_drill_fuzz", 1, &FAST_JOBS).await;
    let (product, variants) = cluster.seed("fuzz-tee", &[("S", PRICE, 100)]).await;
    let base = cluster.servers[0].base.clone();
    let (_, order) = checkout(&cluster, &base, &variants).await;
    let cart = cluster.cart_with(&variants).await;
    let inventory = psql(
        &cluster.database,
        &format!(
            "SELECT id FROM inventory_items WHERE variant_id = '{}'",
            variants[0]
        ),
    );
    let targets = crate::fuzz::Targets {
        cart,
        product,
        variant: variants[0].clone(),
        inventory,
        order: order["id"].as_str().unwrap_or_default().to_owned(),
    };
    let findings = crate::fuzz::run(&cluster, &targets).await;
    let alive = cluster
        .http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    let statuses = findings
        .statuses
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut checks = vec![
        Check {
            name: "no 5xx, every refusal a JSON error with a code".into(),
            ok: findings.problems.is_empty() && findings.requests > 0,
            detail: if findings.problems.is_empty() {
                format!("{} requests", findings.requests)
            } else {
                findings.problems.join("; ")
            },
        },
        Check {
            name: "the server is still up".into(),
            ok: alive,
            detail: format!(
                "readyz after the pass: {}",
                if alive { "ready" } else { "down" }
            ),
        },
    ];
    // The pass adjusts stock through the admin routes on purpose, so the stock identity is
    // not checked here; the other invariants are.
    checks.extend(check(&cluster, &[]).await);
    Outcome {
        title: "Malformed input at every route",
        setup: "1 `serve` process; for each operation of `docs/openapi.json` (bounded, deterministic): its example body with each field removed or replaced by null, negative, zero, huge, boolean, string, empty, 10,000-character, array, object and control-character values; bodies that are empty, truncated, deeply nested, not UTF-8 or not objects; junk, encoded and real ids in the path; junk query parameters; no key, a made-up key, and a publishable key on admin routes. (Schemathesis is not installed here, so the pass is generated from the document's examples by the harness.)".into(),
        figures: vec![format!("answers by status: {statuses}")],
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Runs the drills; writes `docs/reliability.md` unless `quick`. Fails when an invariant broke.
pub async fn main(quick: bool, only: Option<&str>) -> ExitCode {
    let wanted = |name: &str| only.is_none_or(|list| list.split(',').any(|n| n == name));
    let mut outcomes = Vec::new();
    if wanted("oversell") {
        println!("drill: oversell…");
        outcomes.push(oversell().await);
    }
    if wanted("outage") {
        println!("drill: Toss outage…");
        outcomes.push(toss_outage(quick).await);
    }
    if wanted("kill") {
        println!("drill: kill -9…");
        outcomes.push(kill_server(quick).await);
    }
    if wanted("webhooks") {
        println!("drill: webhook storm…");
        outcomes.push(webhook_storm().await);
    }
    if wanted("postgres") {
        println!("drill: PostgreSQL restart…");
        outcomes.push(postgres_restart(quick).await);
    }
    if wanted("fuzz") {
        println!("drill: malformed input…");
        outcomes.push(malformed_input().await);
    }
    for name in [
        "hc_drill_oversell",
        "hc_drill_outage",
        "hc_drill_kill",
        "hc_drill_webhooks",
        "hc_drill_pg",
        "hc_drill_fuzz",
    ] {
        psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }
    let mut report = String::from("# Reliability drills\n\nWritten by `just drill` (`hc-bench drill`); run it again rather than editing; only the part from \"Findings and changes\" on is written by hand and kept across runs. Each drill runs real `headless-commerce serve` processes, the `toss-sandbox` binary and PostgreSQL on loopback, and ends with the invariant check.\n\n");
    report.push_str(&machine::describe());
    report.push_str("- Command: `just drill`\n");
    for outcome in &outcomes {
        let _ = writeln!(
            report,
            "\n## {} — {} ({:.0} s)\n\n{}\n\n{}\n{}",
            outcome.title,
            if outcome.passed() { "passed" } else { "FAILED" },
            outcome.seconds,
            outcome.setup,
            outcome
                .figures
                .iter()
                .map(|f| format!("- {f}\n"))
                .collect::<String>(),
            render(&outcome.checks)
        );
    }
    if quick || only.is_some() {
        println!("{report}");
    } else {
        machine::write_doc("reliability.md", &report);
    }
    if outcomes.iter().all(Outcome::passed) {
        ExitCode::SUCCESS
    } else {
        eprintln!("a drill's invariant check failed");
        ExitCode::FAILURE
    }
}

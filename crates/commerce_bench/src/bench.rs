//! `hc-bench bench`: the storefront flow at concurrency 1, 16 and 64, the hot reads, memory,
//! statements per flow, and the floors, written to `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{psql, Cluster};
use crate::floors::{http_floor, rate, sql_floor};
use crate::load::{
    cpu_ticks, flow, flows, get, peak_rss_mib, percentile, run, FlowTarget, Samples,
};
use crate::{growth, machine};

const PRICE: i64 = 29_000;
const LEVELS: [usize; 3] = [1, 16, 64];

/// One measured level of the flow.
struct Level {
    concurrency: usize,
    /// CPU ticks (10 ms) spent during the run: server, PostgreSQL, sandbox, load generator.
    cpu: [u64; 4],
    samples: Samples,
    elapsed: Duration,
    transactions: i64,
}

/// CPU ticks so far of the server, PostgreSQL's processes, the sandbox and this process.
fn cpu_split(cluster: &Cluster) -> [u64; 4] {
    let (server, sandbox, me) = (cluster.pid(0), cluster.sandbox_pid(), std::process::id());
    [
        cpu_ticks(|pid, _| pid == server),
        cpu_ticks(|_, comm| comm == "postgres"),
        cpu_ticks(|pid, _| pid == sandbox),
        cpu_ticks(|pid, _| pid == me),
    ]
}

fn transactions(database: &str) -> i64 {
    psql(
        database,
        &format!(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{database}'"
        ),
    )
    .parse()
    .unwrap_or(0)
}

const ROUTE_HEADER: &str = "| route | requests | req/s | p50 ms | p95 ms | p99 ms | failed |\n|---|---:|---:|---:|---:|---:|---:|\n";

fn route_rows(samples: &Samples, elapsed: Duration) -> String {
    let mut out = String::new();
    for (route, values) in &samples.routes {
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let count = u64::try_from(sorted.len()).unwrap_or(0);
        let _ = writeln!(
            out,
            "| {route} | {count} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            rate(count, elapsed),
            percentile(&sorted, 50.0),
            percentile(&sorted, 95.0),
            percentile(&sorted, 99.0),
            samples.failures.get(route).copied().unwrap_or(0)
        );
    }
    out
}

fn all_latencies(samples: &Samples, skip: &str) -> Vec<u64> {
    let mut all: Vec<u64> = samples
        .routes
        .iter()
        .filter(|(route, _)| route.as_str() != skip)
        .flat_map(|(_, v)| v.iter().copied())
        .collect();
    all.sort_unstable();
    all
}

/// Counts the statements one flow sends, from PostgreSQL's statement log of a scratch cluster
/// whose database logs every statement. Background jobs are slowed so they do not count.
async fn statements_per_flow() -> Option<(f64, f64)> {
    let log = std::fs::read_dir("/var/log/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))?;
    let name = "hc_bench_statements";
    let cluster = Cluster::start(
        name,
        1,
        &[
            ("HC_EXPIRY_INTERVAL_SECS", "3600"),
            ("HC_RECONCILE_INTERVAL_SECS", "3600"),
            ("HC_WEBHOOK_INTERVAL_MS", "3600000"),
        ],
    )
    .await;
    let (_, variants) = cluster
        .seed("stmt-tee", &[("S", PRICE, 1000), ("M", PRICE, 1000)])
        .await;
    psql(
        "postgres",
        &format!("ALTER DATABASE {name} SET log_statement = 'all'"),
    );
    drop(cluster);
    let cluster = Cluster::reopen(
        name,
        1,
        &[
            ("HC_EXPIRY_INTERVAL_SECS", "3600"),
            ("HC_RECONCILE_INTERVAL_SECS", "3600"),
            ("HC_WEBHOOK_INTERVAL_MS", "3600000"),
        ],
    )
    .await;
    let before = std::fs::metadata(&log).ok()?.len();
    let target = FlowTarget {
        bases: vec![cluster.servers.first()?.base.clone()],
        sandbox: cluster.sandbox.clone(),
        pk: cluster.pk.clone(),
        variants,
    };
    let mut samples = Samples::default();
    let flows = 20;
    for _ in 0..flows {
        flow(&cluster.http, &target, &target.bases[0], &mut samples).await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let text = std::fs::read(&log).ok()?;
    let start = usize::try_from(before).ok()?.min(text.len());
    let tail = String::from_utf8_lossy(text.get(start..)?);
    let marker = format!("@{name} ");
    let (mut statements, mut begins) = (0_u32, 0_u32);
    for line in tail.lines().filter(|l| l.contains(&marker)) {
        let Some((_, query)) = line
            .split_once("LOG:  ")
            .and_then(|(_, rest)| rest.split_once(": "))
        else {
            continue;
        };
        let query = query.trim_start();
        if query.starts_with("BEGIN") {
            begins += 1;
        } else if !(query.starts_with("COMMIT") || query.starts_with("ROLLBACK")) {
            statements += 1;
        }
    }
    psql(
        "postgres",
        &format!("ALTER DATABASE {name} RESET log_statement"),
    );
    drop(cluster);
    psql(
        "postgres",
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    Some((
        f64::from(statements) / f64::from(flows),
        f64::from(begins) / f64::from(flows),
    ))
}

/// Waits (up to a minute) until the jobs have fanned out every event the previous measurement
/// queued, so each measurement starts from the same idle state instead of sharing the cores
/// with the last one's backlog.
async fn drain_outbox(database: &str) {
    for _ in 0..300 {
        let pending = psql(
            database,
            "SELECT count(*) FROM events WHERE dispatched_at IS NULL",
        );
        if pending.trim() == "0" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The benchmark's cluster: one `serve` process on a fresh `hc_bench` database holding one
/// product with two variants of ample stock; with that product's id and the flow over it.
async fn bench_cluster() -> Option<(Cluster, String, Arc<FlowTarget>)> {
    let cluster = Cluster::start("hc_bench", 1, &[]).await;
    let (product, variants) = cluster
        .seed(
            "bench-tee",
            &[("S", PRICE, 100_000_000), ("M", PRICE, 100_000_000)],
        )
        .await;
    let base = cluster.servers.first()?.base.clone();
    let target = Arc::new(FlowTarget {
        bases: vec![base],
        sandbox: cluster.sandbox.clone(),
        pk: cluster.pk.clone(),
        variants,
    });
    Some((cluster, product, target))
}

/// Milliseconds of CPU per flow for `ticks` of 10 ms spent over `flows` flows.
fn ms_per_flow(ticks: u64, flows: u64) -> f64 {
    f64::from(u32::try_from(ticks).unwrap_or(u32::MAX)) * 10.0
        / f64::from(u32::try_from(flows.max(1)).unwrap_or(u32::MAX))
}

/// Runs the benchmarks; writes `docs/benchmarks.md` unless `quick`.
pub async fn main(quick: bool) -> ExitCode {
    let seconds = if quick { 2 } else { 10 };
    let duration = Duration::from_secs(seconds);
    let Some((cluster, product, target)) = bench_cluster().await else {
        return ExitCode::FAILURE;
    };
    let (base, variants) = (target.bases[0].clone(), target.variants.clone());

    // A warm-up, then statistics as autovacuum keeps them in a store that has been running:
    // planned against the empty tables of a fresh database, the cached plans of the order
    // reads would scan their tables until autovacuum's first ANALYZE, a minute in.
    println!("warm-up for {seconds}s…");
    flows(&cluster.http, &target, 16, duration).await;

    let mut levels = Vec::new();
    for concurrency in LEVELS {
        drain_outbox(&cluster.database).await;
        psql(&cluster.database, "VACUUM ANALYZE");
        println!("flow at concurrency {concurrency} for {seconds}s…");
        let before = transactions(&cluster.database);
        let cpu_before = cpu_split(&cluster);
        let (samples, elapsed) = flows(&cluster.http, &target, concurrency, duration).await;
        let transactions = transactions(&cluster.database) - before;
        let cpu_after = cpu_split(&cluster);
        let cpu = [0, 1, 2, 3].map(|i| cpu_after[i].saturating_sub(cpu_before[i]));
        levels.push(Level {
            cpu,
            concurrency,
            samples,
            elapsed,
            transactions,
        });
    }

    let mut one = Samples::default();
    let Some(done) = flow(&cluster.http, &target, &base, &mut one).await else {
        eprintln!("a single flow failed; is the cluster healthy?");
        return ExitCode::FAILURE;
    };
    let cart_id = cluster.cart_with(&variants).await;
    let order_id = done["order"].as_str().unwrap_or_default().to_owned();
    let reads = [
        (
            "GET carts/{id}",
            format!("{base}/v1/storefront/carts/{cart_id}"),
        ),
        (
            "GET products/{id}",
            format!("{base}/v1/storefront/products/{product}"),
        ),
        (
            "GET orders/{id}",
            format!("{base}/v1/storefront/orders/{order_id}"),
        ),
    ];
    let mut hot = Vec::new();
    for (route, url) in reads {
        drain_outbox(&cluster.database).await;
        println!("{route} at concurrency 64 for {seconds}s…");
        let (http, pk) = (cluster.http.clone(), cluster.pk.clone());
        let (samples, elapsed) = run(64, duration, move |_, samples| {
            let (http, pk, url) = (http.clone(), pk.clone(), url.clone());
            async move { get(&http, &url, &pk, route, samples).await }
        })
        .await;
        hot.push((route, samples, elapsed));
    }
    let rss = peak_rss_mib(cluster.pid(0));

    println!("floors…");
    let http_floor_rps = http_floor(64, duration).await;
    let mut sql_floors = Vec::new();
    for concurrency in LEVELS {
        sql_floors.push(sql_floor(
            &cluster.database,
            &variants,
            concurrency,
            duration,
        ));
    }
    let size = if quick {
        growth::Size {
            orders: 20_000,
            variants: 2_000,
        }
    } else {
        growth::Size {
            orders: 1_000_000,
            variants: 100_000,
        }
    };
    let growth = growth::section(&cluster, &target, &size, seconds).await;
    drop(cluster);
    psql("postgres", "DROP DATABASE IF EXISTS hc_bench WITH (FORCE)");
    println!("statements per flow…");
    let statements = statements_per_flow().await;

    let mut report = render(
        &levels,
        &hot,
        rss,
        http_floor_rps,
        &sql_floors,
        statements,
        seconds,
    );
    report.push('\n');
    report.push_str(&growth);
    if quick {
        println!("{report}");
    } else {
        machine::write_doc("benchmarks.md", &report);
    }
    ExitCode::SUCCESS
}

/// `hc-bench flows`: the flow at concurrency 64 alone, after the same warm-up, printed with
/// its routes and the CPU per flow. Minutes quicker than `bench`, for comparing two builds
/// (copy this binary beside the other build's `headless-commerce` and `toss-sandbox`).
pub async fn flows_only(seconds: u64) -> ExitCode {
    let duration = Duration::from_secs(seconds);
    let Some((cluster, _, target)) = bench_cluster().await else {
        return ExitCode::FAILURE;
    };
    flows(&cluster.http, &target, 16, duration).await;
    drain_outbox(&cluster.database).await;
    psql(&cluster.database, "VACUUM ANALYZE");
    let cpu_before = cpu_split(&cluster);
    let (samples, elapsed) = flows(&cluster.http, &target, 64, duration).await;
    let cpu_after = cpu_split(&cluster);
    drop(cluster);
    psql("postgres", "DROP DATABASE IF EXISTS hc_bench WITH (FORCE)");
    let ours = all_latencies(&samples, "sandbox authorize");
    let ms = |i: usize| ms_per_flow(cpu_after[i].saturating_sub(cpu_before[i]), samples.flows);
    println!(
        "c=64 for {seconds}s: {:.0} flows/s, p50 {:.1} ms, p99 {:.1} ms over our routes; CPU per flow: server {:.1}, PostgreSQL {:.1}, sandbox {:.1}, load generator {:.1} ms\n",
        rate(samples.flows, elapsed),
        percentile(&ours, 50.0),
        percentile(&ours, 99.0),
        ms(0),
        ms(1),
        ms(2),
        ms(3)
    );
    print!("{ROUTE_HEADER}{}", route_rows(&samples, elapsed));
    ExitCode::SUCCESS
}

fn render(
    levels: &[Level],
    hot: &[(&str, Samples, Duration)],
    rss: f64,
    http_floor_rps: f64,
    sql_floors: &[(f64, usize)],
    statements: Option<(f64, f64)>,
    seconds: u64,
) -> String {
    let mut out = String::from("# Benchmarks\n\nWritten by `just bench` (`hc-bench bench`); run it again rather than editing; only the part from \"Findings and changes\" on is written by hand and kept across runs.\n\n");
    out.push_str(&machine::describe());
    let _ = writeln!(
        out,
        "- Command: `just bench` ({seconds} s per measurement; one `headless-commerce serve` process, default settings: a pool of 4 connections per core)\n"
    );
    let _ = writeln!(out, "## Full storefront flow\n\nCreate cart, add 2 items, check out, sandbox authorize (the customer in the Toss widget), confirm. The sandbox runs as its own process on the same cores. A warm-up of the same length at concurrency 16 runs first. Before each measurement (here and for the hot reads) the harness waits until the outbox is drained, so none starts while the jobs still fan out the previous one's events; before each flow measurement it runs `VACUUM ANALYZE`, as autovacuum would in a store that has been running (without it, the order reads keep plans made for the fresh database's empty tables, full scans, until autovacuum's first pass a minute in).\n");
    out.push_str("| concurrency | flows/s | requests/s | flow p99 (all our routes) ms | transactions/flow | SQL floor flows/s | share of floor | failed requests |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (level, (floor, _)) in levels.iter().zip(sql_floors) {
        let flows = rate(level.samples.flows, level.elapsed);
        let ours = all_latencies(&level.samples, "sandbox authorize");
        let per_flow = if level.samples.flows > 0 {
            format!(
                "{:.1}",
                f64::from(u32::try_from(level.transactions).unwrap_or(0))
                    / f64::from(u32::try_from(level.samples.flows).unwrap_or(1))
            )
        } else {
            "–".into()
        };
        let _ = writeln!(
            out,
            "| {} | {flows:.0} | {:.0} | {:.1} | {per_flow} | {floor:.0} | {:.0}% | {} |",
            level.concurrency,
            rate(level.samples.requests(), level.elapsed),
            percentile(&ours, 99.0),
            if *floor > 0.0 {
                flows / floor * 100.0
            } else {
                0.0
            },
            level.samples.failures.values().sum::<u64>()
        );
    }
    out.push_str("\nWhere the CPU went (2 cores = 200 ticks/s of 10 ms), per flow:\n\n| concurrency | server ms | PostgreSQL ms | sandbox ms | load generator ms | machine busy |\n|---:|---:|---:|---:|---:|---:|\n");
    for level in levels {
        let ms = |ticks: u64| ms_per_flow(ticks, level.samples.flows);
        let busy = f64::from(u32::try_from(level.cpu.iter().sum::<u64>()).unwrap_or(u32::MAX))
            / (level.elapsed.as_secs_f64() * 200.0)
            * 100.0;
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {busy:.0}% |",
            level.concurrency,
            ms(level.cpu[0]),
            ms(level.cpu[1]),
            ms(level.cpu[2]),
            ms(level.cpu[3])
        );
    }
    for level in levels {
        let _ = writeln!(out, "\n### Routes at concurrency {}\n", level.concurrency);
        out.push_str(ROUTE_HEADER);
        out.push_str(&route_rows(&level.samples, level.elapsed));
    }
    out.push_str("\n## Hot reads at concurrency 64\n\n");
    out.push_str(ROUTE_HEADER);
    for (_, samples, elapsed) in hot {
        out.push_str(&route_rows(samples, *elapsed));
    }
    let _ = writeln!(
        out,
        "\n## Memory\n\nPeak RSS of the server (VmHWM) after every run above: **{rss:.1} MiB**.\n"
    );
    let (statements_line, floor_statements) = match statements {
        Some((s, b)) => (
            format!("**{s:.1} statements and {b:.1} explicit transactions per flow** (counted from PostgreSQL's statement log over 20 sequential flows, `log_statement = 'all'` on a scratch database; `BEGIN`/`COMMIT` not counted as statements). Transactions per flow in the table above come from `pg_stat_database` and include single-statement ones."),
            sql_floors.first().map_or(0, |f| f.1),
        ),
        None => ("Statements per flow: the PostgreSQL log was not readable here, so not counted.".to_owned(), sql_floors.first().map_or(0, |f| f.1)),
    };
    let _ = writeln!(out, "## Statements\n\n{statements_line}\n");
    let _ = writeln!(
        out,
        "## Floors\n\n- **SQL floor:** the statements of one flow ({floor_statements} statements: cart reads and writes, the checkout transaction, the confirm's two transactions, the approval webhook's check and its receipt; key lookups and the outbox fan-out left out) replayed by `pgbench -M prepared`, pipelined where the server pipelines, with the same concurrency against the same database; flows/s in the table above.\n- **HTTP floor:** a bare actix-web route answering `ok` at concurrency 64: **{http_floor_rps:.0} requests/s** (the ceiling of this load generator on this machine).\n"
    );
    out
}

//! The load generator: the storefront flow and hot reads, driven by `concurrency` tasks for a
//! fixed time, with latencies recorded per route.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Latencies per route, and failures.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    /// Route → latencies in microseconds.
    pub routes: BTreeMap<String, Vec<u64>>,
    /// Route → failed requests.
    pub failures: BTreeMap<String, u64>,
    /// Completed flows.
    pub flows: u64,
}

impl Samples {
    fn merge(&mut self, other: Samples) {
        for (route, mut values) in other.routes {
            self.routes.entry(route).or_default().append(&mut values);
        }
        for (route, n) in other.failures {
            *self.failures.entry(route).or_default() += n;
        }
        self.flows += other.flows;
    }

    /// All requests made.
    pub fn requests(&self) -> u64 {
        let ok: usize = self.routes.values().map(Vec::len).sum();
        u64::try_from(ok).unwrap_or(0) + self.failures.values().sum::<u64>()
    }
}

/// A percentile of sorted microsecond samples, in milliseconds.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let last = sorted.len().saturating_sub(1);
    let rank = (p / 100.0 * f64::from(u32::try_from(last).unwrap_or(u32::MAX))).round();
    let index = format!("{rank:.0}")
        .parse::<usize>()
        .unwrap_or(last)
        .min(last);
    f64::from(u32::try_from(sorted.get(index).copied().unwrap_or(0)).unwrap_or(u32::MAX)) / 1000.0
}

/// What one flow needs.
#[derive(Clone)]
pub struct FlowTarget {
    /// Servers' bases (flows spread over them).
    pub bases: Vec<String>,
    /// The sandbox's base.
    pub sandbox: String,
    /// A publishable key.
    pub pk: String,
    /// Two variants to add.
    pub variants: Vec<String>,
}

/// Sends `request`, recording its latency under `route` when it succeeds (2xx) and a failure
/// otherwise; the HTTP status (0 when no answer came) and the JSON body (null when none).
async fn timed(
    samples: &mut Samples,
    route: &str,
    request: reqwest::RequestBuilder,
) -> (u16, Value) {
    let started = Instant::now();
    let answer = request.send().await;
    let elapsed = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = answer.as_ref().map_or(0, |r| r.status().as_u16());
    if (200..300).contains(&status) {
        samples
            .routes
            .entry(route.to_owned())
            .or_default()
            .push(elapsed);
    } else {
        *samples.failures.entry(route.to_owned()).or_default() += 1;
    }
    let body = match answer {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    (status, body)
}

/// A storefront creating a cart with one unit of each variant on `base` and checking it out;
/// the status and body of the last step made (the checkout, or the step that failed).
pub async fn checkout(
    http: &reqwest::Client,
    base: &str,
    pk: &str,
    variants: &[String],
    samples: &mut Samples,
) -> (u16, Value) {
    let carts = http
        .post(format!("{base}/v1/storefront/carts"))
        .bearer_auth(pk);
    let (status, cart) = timed(samples, "POST carts", carts.json(&json!({}))).await;
    let Some(cart_id) = cart["id"].as_str().filter(|_| status < 300) else {
        return (status, cart);
    };
    for variant in variants {
        let items = http
            .post(format!("{base}/v1/storefront/carts/{cart_id}/items"))
            .bearer_auth(pk);
        let answer = timed(
            samples,
            "POST carts/{id}/items",
            items.json(&json!({"variant_id": variant, "quantity": 1})),
        )
        .await;
        if answer.0 >= 300 || answer.0 == 0 {
            return answer;
        }
    }
    let checkout = http
        .post(format!("{base}/v1/storefront/carts/{cart_id}/checkout"))
        .bearer_auth(pk);
    let body = json!({"email": "bench@example.com", "payment_method": "tosspayments",
                      "shipping_address": {"line1": "서울특별시 강남구 테헤란로 131", "postal_code": "06133", "country": "KR"}});
    timed(samples, "POST carts/{id}/checkout", checkout.json(&body)).await
}

/// The customer paying for `order` in the widget (the sandbox's authorize), then the
/// storefront confirming, up to `attempts` times while the answer is a 5xx or no answer, as a
/// storefront retries; the last confirm answer.
#[expect(
    clippy::too_many_arguments,
    reason = "one storefront step, every input named"
)]
pub async fn pay(
    http: &reqwest::Client,
    sandbox: &str,
    base: &str,
    pk: &str,
    order: &Value,
    method: &str,
    attempts: u32,
    samples: &mut Samples,
) -> (u16, Value) {
    let toss = &order["toss_payment"];
    let widget = json!({"orderId": toss["order_id"], "orderName": toss["order_name"], "amount": toss["amount"], "method": method});
    let (status, authorized) = timed(
        samples,
        "sandbox authorize",
        http.post(format!("{sandbox}/sandbox/v1/authorize"))
            .json(&widget),
    )
    .await;
    if status != 200 {
        return (status, authorized);
    }
    let body = json!({"payment_key": authorized["paymentKey"], "order_id": toss["order_id"], "amount": toss["amount"]});
    let mut last = (0, Value::Null);
    for attempt in 0..attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let confirm = http
            .post(format!("{base}/v1/storefront/payments/confirm"))
            .bearer_auth(pk);
        last = timed(samples, "POST payments/confirm", confirm.json(&body)).await;
        if last.0 != 0 && last.0 < 500 {
            break;
        }
    }
    last
}

/// One storefront flow: cart, two items, checkout, sandbox authorize, confirm.
pub async fn flow(
    http: &reqwest::Client,
    t: &FlowTarget,
    base: &str,
    samples: &mut Samples,
) -> Option<Value> {
    let (status, order) = checkout(http, base, &t.pk, &t.variants, samples).await;
    if !(200..300).contains(&status) {
        return None;
    }
    let (status, confirmed) = pay(http, &t.sandbox, base, &t.pk, &order, "CARD", 1, samples).await;
    if status != 200 {
        return None;
    }
    samples.flows += 1;
    Some(json!({"order": order["id"], "status": confirmed["status"]}))
}

/// The full storefront flow from `concurrency` storefronts for `duration`, each worker on
/// one of `target`'s servers in turn.
pub async fn flows(
    http: &reqwest::Client,
    target: &Arc<FlowTarget>,
    concurrency: usize,
    duration: Duration,
) -> (Samples, Duration) {
    let (http, t) = (http.clone(), target.clone());
    run(concurrency, duration, move |worker, mut samples| {
        let (http, t) = (http.clone(), t.clone());
        async move {
            let base = t.bases[worker % t.bases.len()].clone();
            flow(&http, &t, &base, &mut samples).await;
            samples
        }
    })
    .await
}

/// Runs `work` in `concurrency` tasks for `duration`; merges their samples.
pub async fn run<F, Fut>(concurrency: usize, duration: Duration, work: F) -> (Samples, Duration)
where
    F: Fn(usize, Samples) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Samples> + Send + 'static,
{
    let work = Arc::new(work);
    let deadline = Instant::now() + duration;
    let merged = Arc::new(Mutex::new(Samples::default()));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let (work, merged) = (work.clone(), merged.clone());
        tasks.spawn(async move {
            let mut samples = Samples::default();
            while Instant::now() < deadline {
                samples = work(worker, samples).await;
            }
            if let Ok(mut all) = merged.lock() {
                all.merge(samples);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let samples = merged.lock().map(|s| s.clone()).unwrap_or_default();
    (samples, elapsed)
}

/// A GET, timed under `route`.
pub async fn get(
    http: &reqwest::Client,
    url: &str,
    pk: &str,
    route: &str,
    mut samples: Samples,
) -> Samples {
    timed(
        &mut samples,
        route,
        http.get(url)
            .header("authorization", format!("Bearer {pk}")),
    )
    .await;
    samples
}

/// The server's peak resident memory in MiB (VmHWM).
pub fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u32>().ok())
        .map_or(0.0, |kb| f64::from(kb) / 1024.0)
}

/// CPU time (user + system, in clock ticks of 10 ms) of every live process whose pid or
/// command name `pick` accepts; the benchmark's coarse profile of where a flow's CPU goes.
pub fn cpu_ticks(pick: impl Fn(u32, &str) -> bool) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let open = stat.find('(')?;
            let close = stat.rfind(')')?;
            let comm = stat.get(open + 1..close)?;
            if !pick(pid, comm) {
                return None;
            }
            let fields: Vec<&str> = stat.get(close + 2..)?.split(' ').collect();
            let user: u64 = fields.get(11)?.parse().ok()?;
            let system: u64 = fields.get(12)?.parse().ok()?;
            Some(user + system)
        })
        .sum()
}

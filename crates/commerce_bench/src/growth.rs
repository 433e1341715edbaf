//! Growth: the checkout and GET order latency on a nearly empty database, then again after
//! 1,000,000 orders and 100,000 variants were stored, with the plans of the hot queries.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{psql, Cluster};
use crate::load::{flows, get, percentile, run, FlowTarget, Samples};

/// How much history to store.
pub struct Size {
    /// Orders (each with a cart, a line, a payment and an event).
    pub orders: u32,
    /// Variants (each with an inventory item), over a thousandth as many products.
    pub variants: u32,
}

/// Stores `size` of history with generate_series, then VACUUM ANALYZE.
fn seed(database: &str, size: &Size) -> Duration {
    let started = std::time::Instant::now();
    let (orders, variants) = (size.orders, size.variants);
    let products = (variants / 100).max(1);
    let statements = [
        format!("INSERT INTO products (id, name, slug) SELECT 'prod_g' || i, 'Growth ' || i, 'growth-' || i FROM generate_series(1, {products}) i"),
        format!("INSERT INTO variants (id, product_id, name, sku, price) SELECT 'var_g' || i, 'prod_g' || (1 + i % {products}), 'V' || i, 'G-' || i, 10000 FROM generate_series(1, {variants}) i"),
        format!("INSERT INTO inventory_items (id, variant_id, on_hand) SELECT 'inv_g' || i, 'var_g' || i, 1000 FROM generate_series(1, {variants}) i"),
        format!("INSERT INTO carts (id, status, order_id, created_at, updated_at) SELECT 'cart_g' || i, 'completed', 'order_g' || i, now() - i * interval '1 second', now() FROM generate_series(1, {orders}) i"),
        format!("INSERT INTO orders (id, number, cart_id, status, email, shipping_address, subtotal, total, order_name, expires_at, created_at, updated_at, confirmed_at)
                 SELECT 'order_g' || i, nextval('order_number_seq'), 'cart_g' || i, 'confirmed', 'g' || i || '@example.com',
                        '{{\"line1\": \"x\", \"postal_code\": \"06133\", \"country\": \"KR\"}}', 10000, 10000, 'Growth', now(),
                        now() - i * interval '1 second', now(), now() FROM generate_series(1, {orders}) i"),
        format!("INSERT INTO order_lines (id, order_id, position, variant_id, product_id, product_name, quantity, unit_price, line_total)
                 SELECT 'line_g' || i, 'order_g' || i, 0, 'var_g' || (1 + i % {variants}), 'prod_g' || (1 + i % {products}), 'Growth', 1, 10000, 10000 FROM generate_series(1, {orders}) i"),
        format!("INSERT INTO payments (id, order_id, amount, status, payment_key, method, approved_at, created_at, updated_at)
                 SELECT 'pay_g' || i, 'order_g' || i, 10000, 'completed', 'tgen_g' || i, 'card', now(), now(), now() FROM generate_series(1, {orders}) i"),
        format!("INSERT INTO events (id, type, order_id, payment_id, occurred_at, dispatched_at)
                 SELECT 'evt_g' || i, 'order.confirmed', 'order_g' || i, 'pay_g' || i, now(), now() FROM generate_series(1, {orders}) i"),
        "VACUUM ANALYZE".to_owned(),
        // Flush what the seed dirtied now, not during the measurement that follows.
        "CHECKPOINT".to_owned(),
    ];
    for statement in statements {
        psql(database, &statement);
    }
    started.elapsed()
}

/// Latencies of checkout and GET order, from `seconds` of flows and of order reads.
async fn measure(cluster: &Cluster, target: &Arc<FlowTarget>, seconds: u64) -> Samples {
    let (mut samples, _) = flows(&cluster.http, target, 4, Duration::from_secs(seconds)).await;
    let order = psql(
        &cluster.database,
        "SELECT id FROM orders WHERE id NOT LIKE 'order_g%' ORDER BY created_at DESC LIMIT 1",
    );
    let url = format!("{}/v1/storefront/orders/{order}", target.bases[0]);
    let (http, pk) = (cluster.http.clone(), cluster.pk.clone());
    let (reads, _) = run(4, Duration::from_secs(seconds), move |_, samples| {
        let (http, pk, url) = (http.clone(), pk.clone(), url.clone());
        async move { get(&http, &url, &pk, "GET orders/{id}", samples).await }
    })
    .await;
    samples.routes.extend(reads.routes);
    samples
}

const PLANS: [(&str, &str); 9] = [
    ("order by id (every order read and confirm)", "SELECT * FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.id = '{order}'"),
    ("its lines", "SELECT * FROM order_lines WHERE order_id IN ('{order}')"),
    ("its refunds", "SELECT * FROM refunds WHERE order_id IN ('{order}')"),
    ("overdue unpaid orders (expiry job)", "SELECT id FROM orders WHERE status = 'pending' AND expires_at < now() AND (lease_until IS NULL OR lease_until < now()) ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED"),
    ("payments left confirming (reconciliation)", "SELECT id FROM payments WHERE status = 'confirming' AND confirm_started_at < now() ORDER BY confirm_started_at LIMIT 100"),
    ("admin order list, newest first", "SELECT id FROM orders ORDER BY created_at DESC, id DESC LIMIT 21"),
    ("cart save, one statement (every add to cart; run and rolled back)", "WITH cart AS (UPDATE carts SET metadata = '{}', updated_at = now(), version = version + 1 WHERE id = '{cart}' AND version = 0 AND status = 'completed' RETURNING id), removed AS (DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM cart) AND NOT (id = ANY (ARRAY['item_x']))), kept AS (INSERT INTO cart_items (id, cart_id, variant_id, quantity, position, metadata) SELECT line.id, cart.id, line.variant_id, 1, 0, '{}' FROM cart, unnest(ARRAY['item_x'], ARRAY['var_g1']) AS line (id, variant_id) ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity) SELECT count(*) FROM cart"),
    ("webhook receipt with its dedupe check (every inbound webhook; run and rolled back)", "WITH seen AS (SELECT EXISTS (SELECT 1 FROM inbound_webhooks WHERE body_sha256 = 'sha-plan' AND outcome IN ('applied', 'unchanged', 'ignored')) AS handled) INSERT INTO inbound_webhooks (transmission_id, body_sha256, raw_body, outcome, received_at) SELECT 't-plan', 'sha-plan', '{}', CASE WHEN seen.handled THEN 'duplicate' ELSE 'unchanged' END, now() FROM seen ON CONFLICT (transmission_id) WHERE transmission_id IS NOT NULL DO NOTHING RETURNING id, (SELECT handled FROM seen)"),
    ("outbox batch marked fanned out (run and rolled back)", "UPDATE events SET payload = v.payload::jsonb, dispatched_at = now(), lease_until = NULL FROM unnest(ARRAY['evt_g1', 'evt_g2'], ARRAY['{}', '{}']) AS v(id, payload) WHERE events.id = v.id"),
];

/// Runs the growth comparison; markdown.
pub async fn section(
    cluster: &Cluster,
    target: &Arc<FlowTarget>,
    size: &Size,
    seconds: u64,
) -> String {
    // The runs before left dead rows behind; both sides are measured on a vacuumed database.
    psql(&cluster.database, "VACUUM ANALYZE");
    psql(&cluster.database, "CHECKPOINT");
    let before_rows = psql(&cluster.database, "SELECT count(*) FROM orders");
    let before = measure(cluster, target, seconds).await;
    println!(
        "growth: storing {} orders and {} variants…",
        size.orders, size.variants
    );
    let took = seed(&cluster.database, size);
    let after_rows = psql(&cluster.database, "SELECT count(*) FROM orders");
    let after = measure(cluster, target, seconds).await;
    let mut out = format!(
        "## Growth\n\nThe same 4 storefronts (flows, then GET order) for {seconds} s on the benchmark database ({before_rows} orders), then again after storing {} orders (each with its cart, line, payment and event) and {} variants with their stock, with `generate_series` ({:.0} s) and `VACUUM ANALYZE` ({after_rows} orders).\n\n| route | p50 before ms | p50 after ms | p95 before | p95 after | p99 before | p99 after | p50 change |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        size.orders,
        size.variants,
        took.as_secs_f64()
    );
    for route in [
        "POST carts/{id}/checkout",
        "POST payments/confirm",
        "GET orders/{id}",
    ] {
        let sorted = |s: &Samples| {
            let mut v = s.routes.get(route).cloned().unwrap_or_default();
            v.sort_unstable();
            v
        };
        let (b, a) = (sorted(&before), sorted(&after));
        let (b50, a50) = (percentile(&b, 50.0), percentile(&a, 50.0));
        let _ = writeln!(
            out,
            "| {route} | {b50:.2} | {a50:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:+.0}% |",
            percentile(&b, 95.0),
            percentile(&a, 95.0),
            percentile(&b, 99.0),
            percentile(&a, 99.0),
            if b50 > 0.0 {
                (a50 / b50 - 1.0) * 100.0
            } else {
                0.0
            }
        );
    }
    let order = psql(
        &cluster.database,
        &format!(
            "SELECT id FROM orders WHERE id LIKE 'order_g%' LIMIT 1 OFFSET {}",
            size.orders / 2
        ),
    );
    let cart = order.replacen("order_g", "cart_g", 1);
    out.push_str("\n### Plans of the hot queries, with the history stored\n\n");
    for (what, sql) in PLANS {
        let plan = psql(
            &cluster.database,
            &format!(
                "BEGIN; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {}; ROLLBACK",
                sql.replace("{order}", &order).replace("{cart}", &cart)
            ),
        );
        let _ = writeln!(out, "{what}:\n\n```\n{plan}\n```\n");
    }
    out
}

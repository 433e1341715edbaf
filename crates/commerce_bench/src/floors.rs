//! The floors our figures are compared with: a bare actix-web route (HTTP floor), and the SQL
//! statements of one flow replayed by pgbench (database floor).

use std::process::Command;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};

use crate::load::{run, Samples};

/// Requests per second of a bare actix-web route at `concurrency`.
pub async fn http_floor(concurrency: usize, duration: Duration) -> f64 {
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(_) => return 0.0,
    };
    let url = format!(
        "http://{}/ping",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    let Ok(server) = HttpServer::new(|| {
        App::new().route(
            "/ping",
            web::get().to(|| async { HttpResponse::Ok().body("ok") }),
        )
    })
    .listen(listener)
    .map(|s| s.workers(2).disable_signals().run()) else {
        return 0.0;
    };
    let handle = server.handle();
    tokio::spawn(server);
    let http = reqwest::Client::new();
    let (samples, elapsed) = run(concurrency, duration, move |_, mut samples: Samples| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let started = std::time::Instant::now();
            if http.get(&url).send().await.is_ok() {
                samples
                    .routes
                    .entry("GET /ping".into())
                    .or_default()
                    .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(0));
            }
            samples
        }
    })
    .await;
    handle.stop(false).await;
    rate(samples.requests(), elapsed)
}

/// Per second.
pub fn rate(count: u64, elapsed: Duration) -> f64 {
    f64::from(u32::try_from(count).unwrap_or(u32::MAX)) / elapsed.as_secs_f64().max(0.001)
}

/// The SQL one flow sends (cart writes, the checkout, the confirm's claim and record, the
/// approval webhook's receipt and check), for pgbench, grouped in pipelines where the server
/// pipelines them. Left out, so the floor is if anything too generous: API key checks (the
/// server caches keys) and the outbox fan-out (one statement per batch of events). `:v1` and
/// `:v2` are the two variants.
const FLOW_SQL: &str = r"\set n random(1, 2000000000)
INSERT INTO carts (id, status, metadata, version, created_at, updated_at) VALUES ('cart_pgb' || :n || '_' || :client_id, 'active', '{}', 0, now(), now());
\startpipeline
SELECT v.id, v.price, p.name, i.on_hand, i.reserved FROM variants v JOIN products p ON p.id = v.product_id JOIN inventory_items i ON i.variant_id = v.id WHERE v.id = :v1 AND v.deleted_at IS NULL;
SELECT * FROM carts WHERE id = 'cart_pgb' || :n || '_' || :client_id;
SELECT ci.*, v.price, p.name, i.on_hand FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id JOIN inventory_items i ON i.variant_id = v.id WHERE ci.cart_id = 'cart_pgb' || :n || '_' || :client_id ORDER BY ci.position;
\endpipeline
WITH cart AS (UPDATE carts SET metadata = '{}', updated_at = now(), version = version + 1 WHERE id = 'cart_pgb' || :n || '_' || :client_id AND version = 0 AND status = 'active' RETURNING id), removed AS (DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM cart) AND NOT (id = ANY (ARRAY['item_pgb1_' || :n || '_' || :client_id]))), kept AS (INSERT INTO cart_items (id, cart_id, variant_id, quantity, position, metadata) SELECT line.id, cart.id, line.variant_id, 1, line.position, '{}' FROM cart, unnest(ARRAY['item_pgb1_' || :n || '_' || :client_id], ARRAY[:v1], ARRAY[0]) AS line (id, variant_id, position) ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity, position = excluded.position WHERE (cart_items.quantity, cart_items.position) IS DISTINCT FROM (excluded.quantity, excluded.position)) SELECT count(*) FROM cart;
\startpipeline
SELECT v.id, v.price, p.name, i.on_hand, i.reserved FROM variants v JOIN products p ON p.id = v.product_id JOIN inventory_items i ON i.variant_id = v.id WHERE v.id = :v2 AND v.deleted_at IS NULL;
SELECT * FROM carts WHERE id = 'cart_pgb' || :n || '_' || :client_id;
SELECT ci.*, v.price, p.name, i.on_hand FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id JOIN inventory_items i ON i.variant_id = v.id WHERE ci.cart_id = 'cart_pgb' || :n || '_' || :client_id ORDER BY ci.position;
\endpipeline
WITH cart AS (UPDATE carts SET metadata = '{}', updated_at = now(), version = version + 1 WHERE id = 'cart_pgb' || :n || '_' || :client_id AND version = 1 AND status = 'active' RETURNING id), removed AS (DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM cart) AND NOT (id = ANY (ARRAY['item_pgb1_' || :n || '_' || :client_id, 'item_pgb2_' || :n || '_' || :client_id]))), kept AS (INSERT INTO cart_items (id, cart_id, variant_id, quantity, position, metadata) SELECT line.id, cart.id, line.variant_id, 1, line.position, '{}' FROM cart, unnest(ARRAY['item_pgb1_' || :n || '_' || :client_id, 'item_pgb2_' || :n || '_' || :client_id], ARRAY[:v1, :v2], ARRAY[0,1]) AS line (id, variant_id, position) ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity, position = excluded.position WHERE (cart_items.quantity, cart_items.position) IS DISTINCT FROM (excluded.quantity, excluded.position)) SELECT count(*) FROM cart;
\startpipeline
SELECT * FROM carts WHERE id = 'cart_pgb' || :n || '_' || :client_id;
SELECT ci.*, v.price, p.name, i.on_hand FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id JOIN inventory_items i ON i.variant_id = v.id WHERE ci.cart_id = 'cart_pgb' || :n || '_' || :client_id ORDER BY ci.position;
SELECT nextval('order_number_seq');
\endpipeline
\startpipeline
BEGIN;
UPDATE carts SET status = 'completed', order_id = 'order_pgb' || :n || '_' || :client_id, updated_at = now(), version = version + 1 WHERE id = 'cart_pgb' || :n || '_' || :client_id AND version = 2 AND status = 'active';
SELECT count(*) FROM inventory_items WHERE variant_id IN (:v1, :v2);
\endpipeline
\startpipeline
INSERT INTO orders (id, number, cart_id, status, email, shipping_address, subtotal, total, order_name, metadata, expires_at, version, created_at, updated_at) VALUES ('order_pgb' || :n || '_' || :client_id, currval('order_number_seq'), 'cart_pgb' || :n || '_' || :client_id, 'pending', 'b@example.com', '{}', 58000, 58000, 'x', '{}', now() + interval '30 minutes', 0, now(), now());
INSERT INTO order_lines (id, order_id, position, variant_id, product_id, product_name, quantity, unit_price, line_total) VALUES ('line_pgb1_' || :n || '_' || :client_id, 'order_pgb' || :n || '_' || :client_id, 0, :v1, 'p', 'x', 1, 29000, 29000), ('line_pgb2_' || :n || '_' || :client_id, 'order_pgb' || :n || '_' || :client_id, 1, :v2, 'p', 'x', 1, 29000, 29000);
INSERT INTO payments (id, order_id, amount, status, version, created_at, updated_at) VALUES ('pay_pgb' || :n || '_' || :client_id, 'order_pgb' || :n || '_' || :client_id, 58000, 'pending', 0, now(), now());
INSERT INTO events (id, type, order_id, payment_id, occurred_at) VALUES ('evt_pgb1_' || :n || '_' || :client_id, 'order.created', 'order_pgb' || :n || '_' || :client_id, 'pay_pgb' || :n || '_' || :client_id, now()), ('evt_pgb2_' || :n || '_' || :client_id, 'payment.created', 'order_pgb' || :n || '_' || :client_id, 'pay_pgb' || :n || '_' || :client_id, now());
UPDATE inventory_items SET reserved = reserved + 1, version = version + 1, updated_at = now() WHERE variant_id = :v1;
UPDATE inventory_items SET reserved = reserved + 1, version = version + 1, updated_at = now() WHERE variant_id = :v2;
COMMIT;
\endpipeline
\startpipeline
SELECT o.*, p.* FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.id = 'order_pgb' || :n || '_' || :client_id;
SELECT * FROM order_lines WHERE order_id = 'order_pgb' || :n || '_' || :client_id ORDER BY position;
SELECT * FROM refunds WHERE order_id = 'order_pgb' || :n || '_' || :client_id;
\endpipeline
\startpipeline
BEGIN;
UPDATE orders SET updated_at = now(), version = version + 1 WHERE id = 'order_pgb' || :n || '_' || :client_id AND version = 0;
UPDATE payments SET status = 'confirming', payment_key = 'k' || :n, confirm_idempotency_key = 'i' || :n, attempts = 1, version = version + 1 WHERE id = 'pay_pgb' || :n || '_' || :client_id AND version = 0;
\endpipeline
COMMIT;
\startpipeline
BEGIN;
UPDATE orders SET status = 'confirmed', confirmed_at = now(), updated_at = now(), version = version + 1 WHERE id = 'order_pgb' || :n || '_' || :client_id AND version = 1;
UPDATE payments SET status = 'completed', approved_at = now(), version = version + 1 WHERE id = 'pay_pgb' || :n || '_' || :client_id AND version = 1;
INSERT INTO events (id, type, order_id, payment_id, occurred_at) VALUES ('evt_pgb3_' || :n || '_' || :client_id, 'payment.completed', 'order_pgb' || :n || '_' || :client_id, 'pay_pgb' || :n || '_' || :client_id, now()), ('evt_pgb4_' || :n || '_' || :client_id, 'order.confirmed', 'order_pgb' || :n || '_' || :client_id, 'pay_pgb' || :n || '_' || :client_id, now());
\endpipeline
\startpipeline
UPDATE inventory_items SET on_hand = on_hand - 1, reserved = reserved - 1, version = version + 1, updated_at = now() WHERE variant_id = :v1;
UPDATE inventory_items SET on_hand = on_hand - 1, reserved = reserved - 1, version = version + 1, updated_at = now() WHERE variant_id = :v2;
COMMIT;
\endpipeline
SELECT * FROM payments WHERE order_id = 'order_pgb' || :n || '_' || :client_id;
WITH seen AS (SELECT EXISTS (SELECT 1 FROM inbound_webhooks WHERE body_sha256 = 's' || :n AND outcome IN ('applied', 'unchanged', 'ignored')) AS handled) INSERT INTO inbound_webhooks (transmission_id, body_sha256, event_type, raw_body, outcome, received_at) SELECT 't' || :n || '_' || :client_id, 's' || :n, 'PAYMENT_STATUS_CHANGED', '{}', CASE WHEN seen.handled THEN 'duplicate' ELSE 'unchanged' END, now() FROM seen ON CONFLICT (transmission_id) WHERE transmission_id IS NOT NULL DO NOTHING RETURNING id, (SELECT handled FROM seen);
";

/// Flows per second PostgreSQL alone sustains for one flow's statements at `concurrency`,
/// and the statement count of one flow.
pub fn sql_floor(
    database: &str,
    variants: &[String],
    concurrency: usize,
    duration: Duration,
) -> (f64, usize) {
    let script = std::env::temp_dir().join("hc-bench-flow.sql");
    if std::fs::write(&script, FLOW_SQL).is_err() {
        return (0.0, 0);
    }
    let statements = FLOW_SQL
        .lines()
        .filter(|l| !l.starts_with('\\') && !l.trim().is_empty())
        .filter(|l| !matches!(l.trim(), "BEGIN;" | "COMMIT;"))
        .count();
    let output = Command::new("pgbench")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "prepared"])
        .args([
            "-c",
            &concurrency.to_string(),
            "-j",
            "2",
            "-T",
            &duration.as_secs().max(1).to_string(),
        ])
        .args([
            "-D",
            &format!("v1={}", variants.first().cloned().unwrap_or_default()),
        ])
        .args([
            "-D",
            &format!("v2={}", variants.get(1).cloned().unwrap_or_default()),
        ])
        .arg("-f")
        .arg(&script)
        .arg(database)
        .output();
    let text = output
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    (tps, statements)
}

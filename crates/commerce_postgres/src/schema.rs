//! Diesel's view of the tables in `migrations/`. Kept by hand in the shape `diesel
//! print-schema` prints; the test at the bottom checks every table's columns against the
//! migrated database.

diesel::table! {
    products (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        description -> Nullable<Text>,
        #[sql_name = "type"]
        product_type -> Text,
        status -> Text,
        tags -> Jsonb,
        attributes -> Jsonb,
        images -> Jsonb,
        options -> Jsonb,
        metadata -> Jsonb,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    variants (id) {
        id -> Text,
        product_id -> Text,
        name -> Nullable<Text>,
        sku -> Nullable<Text>,
        barcode -> Nullable<Text>,
        price -> Int8,
        compare_at_price -> Nullable<Int8>,
        cost_price -> Nullable<Int8>,
        weight -> Nullable<Int8>,
        is_active -> Bool,
        option_values -> Jsonb,
        position -> Int4,
        metadata -> Jsonb,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    inventory_items (id) {
        id -> Text,
        variant_id -> Text,
        location_id -> Text,
        track_inventory -> Bool,
        allow_backorder -> Bool,
        safety_stock -> Int8,
        on_hand -> Int8,
        reserved -> Int8,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    carts (id) {
        id -> Text,
        status -> Text,
        session_id -> Nullable<Text>,
        shipping_address -> Nullable<Jsonb>,
        billing_address -> Nullable<Jsonb>,
        metadata -> Jsonb,
        order_id -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cart_items (id) {
        id -> Text,
        cart_id -> Text,
        variant_id -> Text,
        quantity -> Int4,
        position -> Int4,
        metadata -> Jsonb,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        number -> Int8,
        cart_id -> Text,
        status -> Text,
        email -> Text,
        shipping_address -> Jsonb,
        billing_address -> Nullable<Jsonb>,
        subtotal -> Int8,
        discount_total -> Int8,
        shipping_total -> Int8,
        tax_total -> Int8,
        total -> Int8,
        refunded_total -> Int8,
        order_name -> Text,
        customer_key -> Nullable<Text>,
        note -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        metadata -> Jsonb,
        expires_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    order_lines (id) {
        id -> Text,
        order_id -> Text,
        position -> Int4,
        variant_id -> Text,
        product_id -> Text,
        product_name -> Text,
        variant_name -> Nullable<Text>,
        sku -> Nullable<Text>,
        image_url -> Nullable<Text>,
        quantity -> Int4,
        unit_price -> Int8,
        line_total -> Int8,
        option_values -> Jsonb,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        order_id -> Text,
        provider -> Text,
        amount -> Int8,
        status -> Text,
        payment_key -> Nullable<Text>,
        method -> Nullable<Text>,
        provider_status -> Nullable<Text>,
        approved_at -> Nullable<Timestamptz>,
        failure_code -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        virtual_account -> Nullable<Jsonb>,
        deposit_secret -> Nullable<Text>,
        refunded_amount -> Int8,
        attempts -> Int4,
        confirm_idempotency_key -> Nullable<Text>,
        confirm_started_at -> Nullable<Timestamptz>,
        provider_raw -> Nullable<Jsonb>,
        lease_until -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        order_id -> Text,
        payment_id -> Text,
        amount -> Int8,
        reason -> Nullable<Text>,
        restock -> Bool,
        status -> Text,
        provider_transaction_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        order_id -> Nullable<Text>,
        payment_id -> Nullable<Text>,
        refund_id -> Nullable<Text>,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
        sequence -> Int8,
        dispatched_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        url -> Text,
        events -> Jsonb,
        is_active -> Bool,
        secret -> Text,
        metadata -> Jsonb,
        disabled_reason -> Nullable<Text>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_delivery_attempts (id) {
        id -> Int8,
        delivery_id -> Text,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        duration_ms -> Int8,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    inbound_webhooks (id) {
        id -> Int8,
        transmission_id -> Nullable<Text>,
        body_sha256 -> Text,
        event_type -> Nullable<Text>,
        headers -> Jsonb,
        raw_body -> Text,
        outcome -> Text,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        key_prefix -> Text,
        key_hash -> Text,
        key_type -> Text,
        mode -> Text,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Text,
        response_status -> Nullable<Int4>,
        response_body -> Nullable<Bytea>,
        response_headers -> Nullable<Jsonb>,
        locked_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(variants -> products (product_id));
diesel::joinable!(inventory_items -> variants (variant_id));
diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(cart_items -> variants (variant_id));
diesel::joinable!(orders -> carts (cart_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (webhook_id));
diesel::joinable!(webhook_deliveries -> events (event_id));
diesel::joinable!(webhook_delivery_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    products,
    variants,
    inventory_items,
    carts,
    cart_items,
    orders,
    order_lines,
    payments,
    refunds,
    events,
    webhook_endpoints,
    webhook_deliveries,
    webhook_delivery_attempts,
    inbound_webhooks,
    api_keys,
    idempotency_keys,
);

#[cfg(all(test, feature = "test-support"))]
mod tests {
    use super::*;
    use diesel::pg::Pg;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    /// The column names of a diesel `SELECT` of all columns.
    fn diesel_columns<Q: diesel::query_builder::QueryFragment<Pg>>(query: &Q) -> Vec<String> {
        let sql = diesel::debug_query::<Pg, _>(query).to_string();
        let list = sql
            .split(" FROM ")
            .next()
            .unwrap_or_default()
            .trim_start_matches("SELECT ");
        let mut columns: Vec<String> = list
            .split(", ")
            .filter_map(|qualified| qualified.rsplit('.').next())
            .map(|quoted| quoted.trim_matches('"').to_owned())
            .collect();
        columns.sort();
        columns
    }

    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }

    #[tokio::test]
    async fn every_table_matches_the_migrated_database() {
        let db = crate::testing::TestDb::new().await;
        let mut conn = db.conn().await;
        let expected = [
            (
                "products",
                diesel_columns(&products::table.select(products::all_columns)),
            ),
            (
                "variants",
                diesel_columns(&variants::table.select(variants::all_columns)),
            ),
            (
                "inventory_items",
                diesel_columns(&inventory_items::table.select(inventory_items::all_columns)),
            ),
            (
                "carts",
                diesel_columns(&carts::table.select(carts::all_columns)),
            ),
            (
                "cart_items",
                diesel_columns(&cart_items::table.select(cart_items::all_columns)),
            ),
            (
                "orders",
                diesel_columns(&orders::table.select(orders::all_columns)),
            ),
            (
                "order_lines",
                diesel_columns(&order_lines::table.select(order_lines::all_columns)),
            ),
            (
                "payments",
                diesel_columns(&payments::table.select(payments::all_columns)),
            ),
            (
                "refunds",
                diesel_columns(&refunds::table.select(refunds::all_columns)),
            ),
            (
                "events",
                diesel_columns(&events::table.select(events::all_columns)),
            ),
            (
                "webhook_endpoints",
                diesel_columns(&webhook_endpoints::table.select(webhook_endpoints::all_columns)),
            ),
            (
                "webhook_deliveries",
                diesel_columns(&webhook_deliveries::table.select(webhook_deliveries::all_columns)),
            ),
            (
                "webhook_delivery_attempts",
                diesel_columns(
                    &webhook_delivery_attempts::table
                        .select(webhook_delivery_attempts::all_columns),
                ),
            ),
            (
                "inbound_webhooks",
                diesel_columns(&inbound_webhooks::table.select(inbound_webhooks::all_columns)),
            ),
            (
                "api_keys",
                diesel_columns(&api_keys::table.select(api_keys::all_columns)),
            ),
            (
                "idempotency_keys",
                diesel_columns(&idempotency_keys::table.select(idempotency_keys::all_columns)),
            ),
        ];
        for (table, columns) in expected {
            let rows: Vec<Column> = diesel::sql_query(
                "SELECT column_name::text AS column_name FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name",
            )
            .bind::<diesel::sql_types::Text, _>(table)
            .load(&mut conn)
            .await
            .unwrap();
            let actual: Vec<String> = rows.into_iter().map(|c| c.column_name).collect();
            assert_eq!(columns, actual, "columns of {table}");
        }
    }
}

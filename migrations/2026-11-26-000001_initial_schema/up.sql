-- The initial schema of headless-commerce. Every constraint is named so the storage adapter
-- can turn a violation into a specific domain error. Money is bigint won; ids are the domain's
-- prefixed text ids.

CREATE TABLE products (
    id          text PRIMARY KEY,
    name        text NOT NULL CONSTRAINT products_name_not_empty CHECK (length(name) > 0),
    slug        text NOT NULL,
    description text,
    type        text NOT NULL DEFAULT 'physical',
    status      text NOT NULL DEFAULT 'active'
        CONSTRAINT products_status_check CHECK (status IN ('draft', 'active', 'archived')),
    tags        jsonb NOT NULL DEFAULT '[]',
    attributes  jsonb NOT NULL DEFAULT '{}',
    images      jsonb NOT NULL DEFAULT '[]',
    options     jsonb NOT NULL DEFAULT '[]',
    metadata    jsonb NOT NULL DEFAULT '{}',
    deleted_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_slug_key ON products (slug) WHERE deleted_at IS NULL;
CREATE INDEX products_listing_idx ON products (status, id) WHERE deleted_at IS NULL;

CREATE TABLE variants (
    id               text PRIMARY KEY,
    product_id       text NOT NULL CONSTRAINT variants_product_fkey REFERENCES products (id),
    name             text,
    sku              text,
    barcode          text,
    price            bigint NOT NULL CONSTRAINT variants_price_check CHECK (price >= 0),
    compare_at_price bigint CONSTRAINT variants_compare_at_price_check CHECK (compare_at_price >= 0),
    cost_price       bigint CONSTRAINT variants_cost_price_check CHECK (cost_price >= 0),
    weight           bigint CONSTRAINT variants_weight_check CHECK (weight >= 0),
    is_active        boolean NOT NULL DEFAULT true,
    option_values    jsonb NOT NULL DEFAULT '{}',
    position         integer NOT NULL DEFAULT 0,
    metadata         jsonb NOT NULL DEFAULT '{}',
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX variants_sku_key ON variants (sku) WHERE sku IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX variants_product_idx ON variants (product_id, position, id);

-- Stock of one variant at the default location. What can be sold now is on_hand - reserved;
-- reserved counts the units of live (pending) orders. The last CHECK makes overselling
-- impossible even for a buggy writer.
CREATE TABLE inventory_items (
    id              text PRIMARY KEY,
    variant_id      text NOT NULL CONSTRAINT inventory_items_variant_fkey REFERENCES variants (id),
    location_id     text NOT NULL DEFAULT 'default',
    track_inventory boolean NOT NULL DEFAULT true,
    allow_backorder boolean NOT NULL DEFAULT false,
    safety_stock    bigint NOT NULL DEFAULT 0 CONSTRAINT inventory_items_safety_stock_check CHECK (safety_stock >= 0),
    on_hand         bigint NOT NULL DEFAULT 0,
    reserved        bigint NOT NULL DEFAULT 0 CONSTRAINT inventory_items_reserved_check CHECK (reserved >= 0),
    version         bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inventory_items_variant_key UNIQUE (variant_id),
    CONSTRAINT inventory_items_no_oversell
        CHECK (NOT track_inventory OR allow_backorder OR reserved <= on_hand)
);

CREATE TABLE carts (
    id               text PRIMARY KEY,
    status           text NOT NULL DEFAULT 'active'
        CONSTRAINT carts_status_check CHECK (status IN ('active', 'completed')),
    session_id       text,
    shipping_address jsonb,
    billing_address  jsonb,
    metadata         jsonb NOT NULL DEFAULT '{}',
    order_id         text,
    version          bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT carts_completed_has_order CHECK (status = 'active' OR order_id IS NOT NULL)
);
CREATE INDEX carts_active_session_idx ON carts (session_id, created_at DESC) WHERE status = 'active';

CREATE TABLE cart_items (
    id         text PRIMARY KEY,
    cart_id    text NOT NULL CONSTRAINT cart_items_cart_fkey REFERENCES carts (id) ON DELETE CASCADE,
    variant_id text NOT NULL CONSTRAINT cart_items_variant_fkey REFERENCES variants (id),
    quantity   integer NOT NULL CONSTRAINT cart_items_quantity_check CHECK (quantity BETWEEN 1 AND 999),
    position   integer NOT NULL,
    metadata   jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT cart_items_cart_variant_key UNIQUE (cart_id, variant_id)
);

CREATE SEQUENCE order_number_seq START WITH 1001;

CREATE TABLE orders (
    id               text PRIMARY KEY,
    number           bigint NOT NULL,
    cart_id          text NOT NULL CONSTRAINT orders_cart_fkey REFERENCES carts (id),
    status           text NOT NULL
        CONSTRAINT orders_status_check CHECK (status IN ('pending', 'confirmed', 'cancelled')),
    email            text NOT NULL,
    shipping_address jsonb NOT NULL,
    billing_address  jsonb,
    subtotal         bigint NOT NULL CONSTRAINT orders_subtotal_check CHECK (subtotal >= 0),
    discount_total   bigint NOT NULL DEFAULT 0 CONSTRAINT orders_discount_total_check CHECK (discount_total >= 0),
    shipping_total   bigint NOT NULL DEFAULT 0 CONSTRAINT orders_shipping_total_check CHECK (shipping_total >= 0),
    tax_total        bigint NOT NULL DEFAULT 0 CONSTRAINT orders_tax_total_check CHECK (tax_total >= 0),
    total            bigint NOT NULL CONSTRAINT orders_total_check CHECK (total >= 0),
    refunded_total   bigint NOT NULL DEFAULT 0,
    order_name       text NOT NULL,
    customer_key     text,
    note             text,
    cancel_reason    text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    expires_at       timestamptz NOT NULL,
    lease_until      timestamptz,
    version          bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    confirmed_at     timestamptz,
    cancelled_at     timestamptz,
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_cart_key UNIQUE (cart_id),
    CONSTRAINT orders_refunded_total_check CHECK (refunded_total BETWEEN 0 AND total)
);
-- The expiry job's scan: pending orders by deadline.
CREATE INDEX orders_pending_expires_idx ON orders (expires_at) WHERE status = 'pending';
-- Admin lists: newest first, filtered by status.
CREATE INDEX orders_status_created_idx ON orders (status, created_at DESC, id);
CREATE INDEX orders_created_idx ON orders (created_at DESC, id);

CREATE TABLE order_lines (
    id            text PRIMARY KEY,
    order_id      text NOT NULL CONSTRAINT order_lines_order_fkey REFERENCES orders (id),
    position      integer NOT NULL,
    variant_id    text NOT NULL,
    product_id    text NOT NULL,
    product_name  text NOT NULL,
    variant_name  text,
    sku           text,
    image_url     text,
    quantity      integer NOT NULL CONSTRAINT order_lines_quantity_check CHECK (quantity BETWEEN 1 AND 999),
    unit_price    bigint NOT NULL CONSTRAINT order_lines_unit_price_check CHECK (unit_price >= 0),
    line_total    bigint NOT NULL CONSTRAINT order_lines_line_total_check CHECK (line_total >= 0),
    option_values jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT order_lines_order_position_key UNIQUE (order_id, position)
);

CREATE TABLE payments (
    id                      text PRIMARY KEY,
    order_id                text NOT NULL CONSTRAINT payments_order_fkey REFERENCES orders (id),
    provider                text NOT NULL DEFAULT 'tosspayments',
    amount                  bigint NOT NULL CONSTRAINT payments_amount_check CHECK (amount >= 0),
    status                  text NOT NULL CONSTRAINT payments_status_check CHECK (status IN (
        'pending', 'confirming', 'awaiting_deposit', 'completed', 'partially_refunded',
        'refunded', 'expired', 'cancelled')),
    payment_key             text,
    method                  text CONSTRAINT payments_method_check CHECK (method IN (
        'card', 'virtual_account', 'transfer', 'mobile_phone', 'easy_pay', 'gift_certificate', 'other')),
    provider_status         text,
    approved_at             timestamptz,
    failure_code            text,
    failure_message         text,
    virtual_account         jsonb,
    deposit_secret          text,
    refunded_amount         bigint NOT NULL DEFAULT 0,
    attempts                integer NOT NULL DEFAULT 0 CONSTRAINT payments_attempts_check CHECK (attempts >= 0),
    confirm_idempotency_key text,
    confirm_started_at      timestamptz,
    provider_raw            jsonb,
    lease_until             timestamptz,
    version                 bigint NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    CONSTRAINT payments_order_key UNIQUE (order_id),
    CONSTRAINT payments_refunded_amount_check CHECK (refunded_amount BETWEEN 0 AND amount),
    CONSTRAINT payments_confirming_has_key CHECK (
        status <> 'confirming' OR (payment_key IS NOT NULL AND confirm_idempotency_key IS NOT NULL))
);
-- Webhooks and reads by Toss's payment key.
CREATE INDEX payments_payment_key_idx ON payments (payment_key) WHERE payment_key IS NOT NULL;
-- Reconciliation's scan: payments left confirming, oldest first.
CREATE INDEX payments_confirming_idx ON payments (confirm_started_at) WHERE status = 'confirming';

CREATE TABLE refunds (
    id                       text PRIMARY KEY,
    order_id                 text NOT NULL CONSTRAINT refunds_order_fkey REFERENCES orders (id),
    payment_id               text NOT NULL CONSTRAINT refunds_payment_fkey REFERENCES payments (id),
    amount                   bigint NOT NULL CONSTRAINT refunds_amount_check CHECK (amount > 0),
    reason                   text,
    restock                  boolean NOT NULL DEFAULT false,
    status                   text NOT NULL DEFAULT 'succeeded'
        CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_transaction_key text NOT NULL,
    created_at               timestamptz NOT NULL,
    -- A Toss cancel seen by webhook and by reconciliation is one refund.
    CONSTRAINT refunds_provider_transaction_key_key UNIQUE (provider_transaction_key)
);
CREATE INDEX refunds_order_idx ON refunds (order_id, created_at);

-- The transactional outbox: events written in the same transaction as the change that caused
-- them, fanned out to webhook deliveries by the delivery worker.
CREATE TABLE events (
    id          text PRIMARY KEY,
    type        text NOT NULL CONSTRAINT events_type_check CHECK (type IN (
        'order.created', 'order.confirmed', 'order.cancelled', 'order.completed',
        'payment.created', 'payment.completed', 'payment.failed', 'payment.refunded',
        'inventory.low')),
    order_id    text,
    payment_id  text,
    refund_id   text,
    payload     jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL,
    sequence    bigserial NOT NULL,
    dispatched_at timestamptz,
    lease_until timestamptz
);
-- Events not yet fanned out, in the order they happened.
CREATE INDEX events_pending_idx ON events (sequence) WHERE dispatched_at IS NULL;
CREATE INDEX events_order_idx ON events (order_id, sequence);

CREATE TABLE webhook_endpoints (
    id         text PRIMARY KEY,
    url        text NOT NULL,
    events     jsonb NOT NULL DEFAULT '["*"]',
    is_active  boolean NOT NULL DEFAULT true,
    secret     text NOT NULL,
    metadata   jsonb NOT NULL DEFAULT '{}',
    disabled_reason text,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_active_idx ON webhook_endpoints (id) WHERE is_active AND deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    webhook_id       text NOT NULL CONSTRAINT webhook_deliveries_webhook_fkey REFERENCES webhook_endpoints (id),
    event_id         text NOT NULL CONSTRAINT webhook_deliveries_event_fkey REFERENCES events (id),
    status           text NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_webhook_event_key UNIQUE (webhook_id, event_id)
);
-- The delivery worker's scan: pending deliveries that are due.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);

CREATE TABLE webhook_delivery_attempts (
    id           bigserial PRIMARY KEY,
    delivery_id  text NOT NULL CONSTRAINT webhook_delivery_attempts_delivery_fkey REFERENCES webhook_deliveries (id),
    attempted_at timestamptz NOT NULL,
    status_code  integer,
    duration_ms  bigint NOT NULL,
    error        text
);
CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, attempted_at);

-- Every inbound TossPayments webhook, for dedupe and audit.
CREATE TABLE inbound_webhooks (
    id              bigserial PRIMARY KEY,
    transmission_id text,
    body_sha256     text NOT NULL,
    event_type      text,
    headers         jsonb NOT NULL DEFAULT '{}',
    raw_body        text NOT NULL,
    outcome         text NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX inbound_webhooks_transmission_key ON inbound_webhooks (transmission_id)
    WHERE transmission_id IS NOT NULL;
CREATE INDEX inbound_webhooks_body_idx ON inbound_webhooks (body_sha256);

CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    key_prefix   text NOT NULL,
    key_hash     text NOT NULL,
    key_type     text NOT NULL CONSTRAINT api_keys_key_type_check CHECK (key_type IN ('secret', 'publishable')),
    mode         text NOT NULL CONSTRAINT api_keys_mode_check CHECK (mode IN ('test', 'live')),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
);

-- Responses stored per Idempotency-Key, so a retried POST gets the first answer in any process.
CREATE TABLE idempotency_keys (
    scope           text NOT NULL,
    key             text NOT NULL,
    request_hash    text NOT NULL,
    status          text NOT NULL DEFAULT 'in_flight'
        CONSTRAINT idempotency_keys_status_check CHECK (status IN ('in_flight', 'completed')),
    response_status integer,
    response_body   bytea,
    response_headers jsonb,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

//! `WebhookStore` over PostgreSQL: endpoints, the outbox fan-out, deliveries and their
//! attempts, and inbound receipts. Worker claims use `FOR UPDATE SKIP LOCKED` with a lease.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use commerce_domain::catalog::{Page, PageRequest};
use commerce_domain::ids::{DeliveryId, EventId, OrderId, RefundId, WebhookId};
use commerce_domain::ports::{
    Delivery, DeliveryAttempt, DueDelivery, Fanout, InboundReceipt, PendingEvent, ReceiptClaim,
    StoreError, WebhookStore,
};
use commerce_domain::webhook::{DeliveryNext, WebhookEndpoint};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::PgStore;
use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::json::{metadata_from_json, metadata_to_json};
use crate::schema::{
    events, inbound_webhooks, webhook_deliveries as deliveries,
    webhook_delivery_attempts as attempts, webhook_endpoints as endpoints,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = endpoints, check_for_backend(diesel::pg::Pg))]
struct EndpointRow {
    id: String,
    url: String,
    events: Value,
    is_active: bool,
    secret: String,
    metadata: Value,
    disabled_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl EndpointRow {
    fn into_endpoint(self) -> Result<WebhookEndpoint, PgError> {
        let events = match self.events {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        Ok(WebhookEndpoint {
            id: WebhookId::parse(&self.id).map_err(PgError::corrupt)?,
            url: self.url,
            events,
            is_active: self.is_active,
            secret: self.secret,
            metadata: metadata_from_json(self.metadata),
            disabled_reason: self.disabled_reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Queryable)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_id: String,
    status: String,
    next_attempt_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    event_type: String,
}

#[derive(Queryable)]
struct AttemptRow {
    delivery_id: String,
    attempted_at: DateTime<Utc>,
    status_code: Option<i32>,
    duration_ms: i64,
    error: Option<String>,
}

fn status_code(code: Option<i32>) -> Option<u16> {
    code.and_then(|c| u16::try_from(c).ok())
}

/// Deliveries with their attempts, in the order of `rows`.
async fn with_attempts(
    conn: &mut AsyncPgConnection,
    rows: Vec<DeliveryRow>,
) -> Result<Vec<Delivery>, PgError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let attempt_rows: Vec<AttemptRow> = attempts::table
        .filter(attempts::delivery_id.eq_any(&ids))
        .order((attempts::attempted_at.asc(), attempts::id.asc()))
        .select((
            attempts::delivery_id,
            attempts::attempted_at,
            attempts::status_code,
            attempts::duration_ms,
            attempts::error,
        ))
        .load(conn)
        .await?;
    let mut by_delivery: HashMap<String, Vec<DeliveryAttempt>> = HashMap::new();
    for a in attempt_rows {
        by_delivery
            .entry(a.delivery_id)
            .or_default()
            .push(DeliveryAttempt {
                attempted_at: a.attempted_at,
                status_code: status_code(a.status_code),
                duration_ms: a.duration_ms,
                error: a.error,
            });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Delivery {
                attempts: by_delivery.remove(&r.id).unwrap_or_default(),
                id: DeliveryId::parse(&r.id).map_err(PgError::corrupt)?,
                webhook_id: WebhookId::parse(&r.webhook_id).map_err(PgError::corrupt)?,
                event_id: EventId::parse(&r.event_id).map_err(PgError::corrupt)?,
                event_type: r.event_type,
                status: r.status,
                next_attempt_at: r.next_attempt_at,
                delivered_at: r.delivered_at,
                created_at: r.created_at,
            })
        })
        .collect()
}

type DeliveryColumns = (
    deliveries::id,
    deliveries::webhook_id,
    deliveries::event_id,
    deliveries::status,
    deliveries::next_attempt_at,
    deliveries::delivered_at,
    deliveries::created_at,
    events::event_type,
);

const DELIVERY_COLUMNS: DeliveryColumns = (
    deliveries::id,
    deliveries::webhook_id,
    deliveries::event_id,
    deliveries::status,
    deliveries::next_attempt_at,
    deliveries::delivered_at,
    deliveries::created_at,
    events::event_type,
);

#[derive(QueryableByName)]
struct ClaimedEvent {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    order_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    refund_id: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    sequence: i64,
}

#[derive(QueryableByName)]
struct ClaimedDelivery {
    #[diesel(sql_type = Text)]
    id: String,
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn insert_webhook(&self, w: &WebhookEndpoint) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(endpoints::table)
            .values((
                endpoints::id.eq(w.id.as_str()),
                endpoints::url.eq(&w.url),
                endpoints::events.eq(Value::from(w.events.clone())),
                endpoints::is_active.eq(w.is_active),
                endpoints::secret.eq(&w.secret),
                endpoints::metadata.eq(metadata_to_json(&w.metadata)),
                endpoints::created_at.eq(w.created_at),
                endpoints::updated_at.eq(w.updated_at),
            ))
            .execute(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    async fn get_webhook(&self, id: &WebhookId) -> Result<Option<WebhookEndpoint>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<EndpointRow> = endpoints::table
            .filter(endpoints::id.eq(id.as_str()))
            .filter(endpoints::deleted_at.is_null())
            .select(EndpointRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(EndpointRow::into_endpoint).transpose()?)
    }

    async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<EndpointRow> = endpoints::table
            .filter(endpoints::deleted_at.is_null())
            .order((endpoints::created_at.asc(), endpoints::id.asc()))
            .select(EndpointRow::as_select())
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(EndpointRow::into_endpoint)
            .collect::<Result<_, _>>()?)
    }

    async fn update_webhook(&self, w: &WebhookEndpoint) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            endpoints::table
                .filter(endpoints::id.eq(w.id.as_str()))
                .filter(endpoints::deleted_at.is_null()),
        )
        .set((
            endpoints::url.eq(&w.url),
            endpoints::events.eq(Value::from(w.events.clone())),
            endpoints::is_active.eq(w.is_active),
            endpoints::metadata.eq(metadata_to_json(&w.metadata)),
            endpoints::disabled_reason.eq(&w.disabled_reason),
            endpoints::updated_at.eq(w.updated_at),
        ))
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(n == 1)
    }

    async fn delete_webhook(&self, id: &WebhookId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            endpoints::table
                .filter(endpoints::id.eq(id.as_str()))
                .filter(endpoints::deleted_at.is_null()),
        )
        .set((
            endpoints::deleted_at.eq(now),
            endpoints::is_active.eq(false),
        ))
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        Ok(n == 1)
    }

    async fn list_deliveries(
        &self,
        webhook: &WebhookId,
        page: &PageRequest,
    ) -> Result<Page<Delivery>, StoreError> {
        let mut conn = self.conn().await?;
        let mut query = deliveries::table
            .inner_join(events::table)
            .filter(deliveries::webhook_id.eq(webhook.as_str()))
            .order((deliveries::created_at.desc(), deliveries::id.desc()))
            .limit(i64::from(page.limit) + 1)
            .select(DELIVERY_COLUMNS)
            .into_boxed();
        if let Some(cursor) = &page.starting_after {
            query = query.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "(webhook_deliveries.created_at, webhook_deliveries.id) < (SELECT c.created_at, c.id FROM webhook_deliveries c WHERE c.id = ",
                )
                .bind::<Text, _>(cursor.clone())
                .sql(")"),
            );
        }
        let rows: Vec<DeliveryRow> = query.load(&mut conn).await.map_err(PgError::from)?;
        let items = with_attempts(&mut conn, rows).await?;
        Ok(Page::from_rows(items, page.limit, None))
    }

    async fn retry_delivery(
        &self,
        webhook: &WebhookId,
        delivery: &DeliveryId,
        now: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(
            deliveries::table
                .filter(deliveries::id.eq(delivery.as_str()))
                .filter(deliveries::webhook_id.eq(webhook.as_str())),
        )
        .set((
            deliveries::status.eq("pending"),
            deliveries::next_attempt_at.eq(now),
            deliveries::lease_until.eq(None::<DateTime<Utc>>),
            deliveries::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .await
        .map_err(PgError::from)?;
        if n == 0 {
            return Ok(None);
        }
        let rows: Vec<DeliveryRow> = deliveries::table
            .inner_join(events::table)
            .filter(deliveries::id.eq(delivery.as_str()))
            .select(DELIVERY_COLUMNS)
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(with_attempts(&mut conn, rows).await?.into_iter().next())
    }

    async fn claim_undispatched_events(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<PendingEvent>, StoreError> {
        let mut conn = self.conn().await?;
        let mut rows: Vec<ClaimedEvent> = Prepared(
            diesel::sql_query(
                "UPDATE events SET lease_until = $2 WHERE id IN (
                 SELECT id FROM events
                 WHERE dispatched_at IS NULL AND (lease_until IS NULL OR lease_until <= $1)
                 ORDER BY sequence LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING id, type AS event_type, order_id, refund_id, occurred_at, sequence",
            )
            .bind::<Timestamptz, _>(now)
            .bind::<Timestamptz, _>(now + lease)
            .bind::<BigInt, _>(i64::from(limit)),
        )
        .load(&mut conn)
        .await
        .map_err(PgError::from)?;
        rows.sort_by_key(|r| r.sequence);
        Ok(rows
            .into_iter()
            .map(|r| {
                Ok(PendingEvent {
                    id: EventId::parse(&r.id).map_err(PgError::corrupt)?,
                    event_type: r.event_type,
                    order_id: r
                        .order_id
                        .as_deref()
                        .map(OrderId::parse)
                        .transpose()
                        .map_err(PgError::corrupt)?,
                    refund_id: r
                        .refund_id
                        .as_deref()
                        .map(RefundId::parse)
                        .transpose()
                        .map_err(PgError::corrupt)?,
                    occurred_at: r.occurred_at,
                })
            })
            .collect::<Result<_, PgError>>()?)
    }

    async fn dispatch_events(
        &self,
        batch: &[Fanout],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = batch.iter().map(|f| f.event.as_str()).collect();
        let bodies: Vec<&str> = batch.iter().map(|f| f.body.as_str()).collect();
        let (mut delivery_ids, mut webhook_ids, mut event_ids) =
            (Vec::new(), Vec::new(), Vec::new());
        for fanout in batch {
            for (delivery, webhook) in &fanout.deliveries {
                delivery_ids.push(delivery.as_str());
                webhook_ids.push(webhook.as_str());
                event_ids.push(fanout.event.as_str());
            }
        }
        let mark = Prepared(
            diesel::sql_query(
                "UPDATE events SET payload = v.payload::jsonb, dispatched_at = $3, lease_until = NULL
                 FROM unnest($1::text[], $2::text[]) AS v(id, payload)
                 WHERE events.id = v.id",
            )
            .bind::<Array<Text>, _>(ids)
            .bind::<Array<Text>, _>(bodies)
            .bind::<Timestamptz, _>(now),
        );
        let mut conn = self.conn().await?;
        if delivery_ids.is_empty() {
            // One statement is atomic on its own: no transaction to open and commit.
            mark.execute(&mut conn).await.map_err(PgError::from)?;
            return Ok(());
        }
        let queue = Prepared(
            diesel::sql_query(
                "INSERT INTO webhook_deliveries
                     (id, webhook_id, event_id, next_attempt_at, created_at, updated_at)
                 SELECT d.id, d.webhook_id, d.event_id, $4, $4, $4
                 FROM unnest($1::text[], $2::text[], $3::text[]) AS d(id, webhook_id, event_id)
                 ON CONFLICT (webhook_id, event_id) DO NOTHING",
            )
            .bind::<Array<Text>, _>(delivery_ids)
            .bind::<Array<Text>, _>(webhook_ids)
            .bind::<Array<Text>, _>(event_ids)
            .bind::<Timestamptz, _>(now),
        );
        conn.transaction(async |conn| -> Result<(), PgError> {
            let shared: &AsyncPgConnection = conn;
            let (marked, queued) = tokio::join!(
                mark.execute(&mut { shared }),
                queue.execute(&mut { shared })
            );
            marked?;
            queued?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut conn = self.conn().await?;
        let claim = diesel::sql_query(
            "UPDATE webhook_deliveries SET lease_until = $2 WHERE id IN (
                 SELECT d.id FROM webhook_deliveries d
                 JOIN events e ON e.id = d.event_id
                 JOIN webhook_endpoints w ON w.id = d.webhook_id AND w.is_active AND w.deleted_at IS NULL
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1
                   AND (d.lease_until IS NULL OR d.lease_until <= $1)
                   AND NOT EXISTS (
                       SELECT 1 FROM webhook_deliveries d2 JOIN events e2 ON e2.id = d2.event_id
                       WHERE d2.webhook_id = d.webhook_id AND d2.status = 'pending'
                         AND e2.order_id = e.order_id AND e2.sequence < e.sequence)
                 ORDER BY e.sequence LIMIT $3
                 FOR UPDATE OF d SKIP LOCKED)
             RETURNING id",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + lease)
        .bind::<BigInt, _>(i64::from(limit));
        let claimed: Vec<ClaimedDelivery> = Prepared(claim)
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        let ids: Vec<String> = claimed.into_iter().map(|c| c.id).collect();
        let rows: Vec<(String, i32, String, String, Value, i64, EndpointRow)> = deliveries::table
            .inner_join(events::table)
            .inner_join(endpoints::table)
            .filter(deliveries::id.eq_any(&ids))
            .order(events::sequence.asc())
            .select((
                deliveries::id,
                deliveries::attempts,
                events::id,
                events::event_type,
                events::payload,
                events::sequence,
                EndpointRow::as_select(),
            ))
            .load(&mut conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, attempts, event_id, event_type, payload, _, endpoint)| {
                    Ok(DueDelivery {
                        id: DeliveryId::parse(&id).map_err(PgError::corrupt)?,
                        attempts: u32::try_from(attempts).map_err(PgError::corrupt)?,
                        endpoint: endpoint.into_endpoint()?,
                        event_id: EventId::parse(&event_id).map_err(PgError::corrupt)?,
                        event_type,
                        body: payload.to_string(),
                    })
                },
            )
            .collect::<Result<_, PgError>>()?)
    }

    async fn record_attempt(
        &self,
        delivery: &DeliveryId,
        attempt: &DeliveryAttempt,
        next: &DeliveryNext,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let code = attempt.status_code.map(i32::from);
        conn.transaction(async |conn| -> Result<(), PgError> {
            Prepared(diesel::insert_into(attempts::table).values((
                attempts::delivery_id.eq(delivery.as_str()),
                attempts::attempted_at.eq(attempt.attempted_at),
                attempts::status_code.eq(code),
                attempts::duration_ms.eq(attempt.duration_ms),
                attempts::error.eq(&attempt.error),
            )))
            .execute(conn)
            .await?;
            let target = deliveries::table.filter(deliveries::id.eq(delivery.as_str()));
            let common = (
                deliveries::attempts.eq(deliveries::attempts + 1),
                deliveries::last_status_code.eq(code),
                deliveries::last_error.eq(&attempt.error),
                deliveries::lease_until.eq(None::<DateTime<Utc>>),
                deliveries::updated_at.eq(attempt.attempted_at),
            );
            match next {
                DeliveryNext::Succeeded => {
                    Prepared(diesel::update(target).set((
                        common,
                        deliveries::status.eq("succeeded"),
                        deliveries::delivered_at.eq(attempt.attempted_at),
                    )))
                    .execute(conn)
                    .await?;
                }
                DeliveryNext::RetryAt(at) => {
                    Prepared(
                        diesel::update(target).set((common, deliveries::next_attempt_at.eq(*at))),
                    )
                    .execute(conn)
                    .await?;
                }
                DeliveryNext::GiveUp { reason } => {
                    let webhook: String = Prepared(
                        diesel::update(target)
                            .set((common, deliveries::status.eq("failed")))
                            .returning(deliveries::webhook_id),
                    )
                    .get_result(conn)
                    .await?;
                    Prepared(
                        diesel::update(endpoints::table.filter(endpoints::id.eq(webhook))).set((
                            endpoints::is_active.eq(false),
                            endpoints::disabled_reason.eq(reason),
                            endpoints::updated_at.eq(attempt.attempted_at),
                        )),
                    )
                    .execute(conn)
                    .await?;
                }
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn record_receipt(&self, r: &InboundReceipt) -> Result<ReceiptClaim, StoreError> {
        self.insert_receipt(r, "received").await
    }

    async fn record_handled_receipt(
        &self,
        r: &InboundReceipt,
        outcome: &str,
    ) -> Result<ReceiptClaim, StoreError> {
        self.insert_receipt(r, outcome).await
    }

    async fn finish_receipt(
        &self,
        id: i64,
        outcome: &str,
        retryable: bool,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let target = inbound_webhooks::table.filter(inbound_webhooks::id.eq(id));
        let result = if retryable {
            Prepared(diesel::update(target).set((
                inbound_webhooks::outcome.eq(outcome),
                inbound_webhooks::transmission_id.eq(None::<String>),
            )))
            .execute(&mut conn)
            .await
        } else {
            Prepared(diesel::update(target).set(inbound_webhooks::outcome.eq(outcome)))
                .execute(&mut conn)
                .await
        };
        result.map_err(PgError::from)?;
        Ok(())
    }
}

impl PgStore {
    /// Stores a receipt with `outcome` (`received` while it is being handled) unless its
    /// transmission id was seen, in one statement that also finds whether a receipt with the
    /// same body was already handled; a receipt stored handled is then stored as `duplicate`.
    async fn insert_receipt(
        &self,
        r: &InboundReceipt,
        outcome: &str,
    ) -> Result<ReceiptClaim, StoreError> {
        #[derive(QueryableByName)]
        struct Stored {
            #[diesel(sql_type = BigInt)]
            id: i64,
            #[diesel(sql_type = Bool)]
            handled: bool,
        }
        let mut conn = self.conn().await?;
        // The subquery sees the table as it was before this insert.
        let row: Option<Stored> = Prepared(diesel::sql_query(
            "WITH seen AS (
                 SELECT EXISTS (
                     SELECT 1 FROM inbound_webhooks
                     WHERE body_sha256 = $2 AND outcome IN ('applied', 'unchanged', 'ignored')
                 ) AS handled
             )
             INSERT INTO inbound_webhooks (transmission_id, body_sha256, event_type, headers, raw_body, outcome, received_at)
             SELECT $1, $2, $3, $4, $5,
                    CASE WHEN seen.handled AND $7 <> 'received' THEN 'duplicate' ELSE $7 END, $6
             FROM seen
             ON CONFLICT (transmission_id) WHERE transmission_id IS NOT NULL DO NOTHING
             RETURNING id, (SELECT handled FROM seen) AS handled",
        )
        .bind::<Nullable<Text>, _>(&r.transmission_id)
        .bind::<Text, _>(&r.body_sha256)
        .bind::<Nullable<Text>, _>(&r.event_type)
        .bind::<diesel::sql_types::Jsonb, _>(&r.headers)
        .bind::<Text, _>(&r.raw_body)
        .bind::<Timestamptz, _>(r.received_at)
        .bind::<Text, _>(outcome))
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(PgError::from)?;
        Ok(match row {
            None => ReceiptClaim::Redelivery,
            Some(Stored { id, handled: true }) => ReceiptClaim::BodyHandled(id),
            Some(Stored { id, handled: false }) => ReceiptClaim::New(id),
        })
    }
}

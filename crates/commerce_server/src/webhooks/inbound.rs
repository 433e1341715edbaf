//! Inbound TossPayments webhooks (SPEC §6). The signature (when `TOSS_WEBHOOK_SECRET` is set)
//! is checked on the raw bytes before anything is parsed; the body only names the payment to
//! read back, and the state applied is the one the Toss API returns (the read-back is skipped
//! only when the order's payment already shows what the body claims, so nothing could
//! change). Every receipt is stored for audit; a redelivery (same transmission id, or a body
//! already handled) changes nothing.

use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use commerce_domain::ports::{InboundReceipt, ReceiptClaim};
use commerce_domain::usecases::{SyncError, SyncOutcome};
use commerce_tosspayments::webhook::{
    parse_webhook, verify_signature, TossWebhook, SIGNATURE_HEADER, TRANSMISSION_ID_HEADER,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::http::error::ApiError;
use crate::state::AppState;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn received(note: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({"received": true, "result": note}))
}

/// Handles one delivery from TossPayments.
///
/// # Errors
/// [`ApiError`] 401 `invalid_signature` (bad signature or deposit secret), 400 for a body that
/// cannot be read, 503 when Toss or the database cannot be reached (Toss retries then).
pub async fn receive(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let store = state.ports.webhooks.clone();
    let now = state.ports.clock.now();
    let sha: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let transmission_id =
        header(headers, TRANSMISSION_ID_HEADER).filter(|t| !t.is_empty() && t.len() <= 200);
    let parsed = parse_webhook(body);
    let receipt = InboundReceipt {
        transmission_id: transmission_id.clone(),
        body_sha256: sha,
        event_type: parsed.as_ref().ok().map(|event| kind(event).to_owned()),
        headers: json!({
            "transmission_id": transmission_id,
            "transmission_time": header(headers, "tosspayments-webhook-transmission-time"),
            "retried_count": header(headers, "tosspayments-webhook-retried-count"),
            "signed": headers.contains_key(SIGNATURE_HEADER),
        }),
        raw_body: String::from_utf8_lossy(body).into_owned(),
        received_at: now,
    };
    if let Some(secret) = &state.toss_webhook_secret {
        if !verify_signature(secret, body, header(headers, SIGNATURE_HEADER).as_deref()) {
            let audit = InboundReceipt {
                transmission_id: None,
                ..receipt
            };
            if let Ok(ReceiptClaim::New(id) | ReceiptClaim::BodyHandled(id)) =
                store.record_receipt(&audit).await
            {
                let _ = store.finish_receipt(id, "invalid_signature", false).await;
            }
            return Err(invalid_signature(
                "The webhook signature is missing or wrong.",
            ));
        }
    }
    // A status the order's payment already shows is the usual approval webhook (the confirm
    // recorded it first): nothing could change, so Toss is not asked and the receipt is stored
    // with its outcome in one write. Any other claim is read back from Toss below.
    let shown = match &parsed {
        Ok(TossWebhook::PaymentStatusChanged {
            payment_key,
            order_id,
            status,
        }) => {
            state
                .payments
                .payment_shows_claim(payment_key, order_id.as_ref(), status.as_deref())
                .await
        }
        _ => Ok(false),
    };
    if let Ok(true) = shown {
        return Ok(
            match store.record_handled_receipt(&receipt, "unchanged").await? {
                ReceiptClaim::New(_) => received("unchanged"),
                ReceiptClaim::Redelivery | ReceiptClaim::BodyHandled(_) => received("duplicate"),
            },
        );
    }
    let receipt_id = match store.record_receipt(&receipt).await? {
        ReceiptClaim::Redelivery => return Ok(received("duplicate")),
        ReceiptClaim::BodyHandled(id) => {
            store.finish_receipt(id, "duplicate", false).await?;
            return Ok(received("duplicate"));
        }
        ReceiptClaim::New(id) => id,
    };
    let event = match parsed {
        Ok(event) => event,
        Err(e) => {
            store.finish_receipt(receipt_id, "malformed", false).await?;
            return Err(ApiError::invalid(e.to_string()));
        }
    };
    // A failed check is retried with the redelivery, before anything is asked of Toss.
    let outcome = match shown {
        Ok(_) => apply(state, &event).await,
        Err(e) => Err(e),
    };
    let (label, retryable, response) = match outcome {
        Ok(Some(SyncOutcome::Applied {
            late_payment,
            record,
        })) => {
            if late_payment {
                tracing::error!(order.id = %record.order.id, "TossPayments approved a payment for an order that was already cancelled: refund it");
            }
            ("applied", false, Ok(received("applied")))
        }
        Ok(Some(SyncOutcome::Unchanged(_))) => ("unchanged", false, Ok(received("unchanged"))),
        Ok(Some(SyncOutcome::UnknownOrder)) => {
            tracing::warn!(event = kind(&event), "webhook for an order we do not have");
            ("unknown_order", false, Ok(received("unknown_order")))
        }
        Ok(None) => ("ignored", false, Ok(received("ignored"))),
        Err(SyncError::InvalidSecret) => (
            "invalid_secret",
            false,
            Err(invalid_signature(
                "The deposit callback's secret does not match.",
            )),
        ),
        Err(SyncError::PaymentNotFound) => {
            tracing::warn!(
                event = kind(&event),
                "webhook names a payment TossPayments does not know"
            );
            (
                "payment_not_found",
                false,
                Ok(received("payment_not_found")),
            )
        }
        Err(SyncError::Mismatch(e)) => {
            tracing::error!(error = %e, "TossPayments reports a payment that does not fit the order; not applied");
            ("mismatch", false, Ok(received("mismatch")))
        }
        Err(e @ (SyncError::Provider(_) | SyncError::Store(_))) => {
            tracing::warn!(error = %e, "webhook not applied yet; TossPayments will redeliver");
            (
                "retry_later",
                true,
                Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "server_error",
                    "service_unavailable",
                    "Try again later.",
                )),
            )
        }
    };
    store.finish_receipt(receipt_id, label, retryable).await?;
    response
}

fn invalid_signature(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "invalid_signature",
        message,
    )
}

fn kind(event: &TossWebhook) -> &str {
    match event {
        TossWebhook::PaymentStatusChanged { .. } => "PAYMENT_STATUS_CHANGED",
        TossWebhook::VirtualAccountDeposit { .. } => "VIRTUAL_ACCOUNT_DEPOSIT",
        TossWebhook::DepositCallback { .. } => "DEPOSIT_CALLBACK",
        TossWebhook::Other { event_type } => event_type,
    }
}

/// Reads the payment back from Toss and applies it; `None` for events we do not act on. A
/// `PAYMENT_STATUS_CHANGED` reaches this only when its claim is not already shown.
async fn apply(state: &AppState, event: &TossWebhook) -> Result<Option<SyncOutcome>, SyncError> {
    let payments = &state.payments;
    let outcome = match event {
        TossWebhook::PaymentStatusChanged { payment_key, .. } => {
            payments.sync_by_payment_key(payment_key).await?
        }
        TossWebhook::DepositCallback {
            order_id, secret, ..
        } => payments.deposit_callback(order_id, secret).await?,
        TossWebhook::VirtualAccountDeposit {
            payment_key,
            order_id,
            secret,
            ..
        } => match (order_id, secret, payment_key) {
            (Some(order), Some(secret), _) => payments.deposit_callback(order, secret).await?,
            (_, _, Some(key)) => payments.sync_by_payment_key(key).await?,
            (Some(order), None, None) => payments.sync_by_order_id(order).await?,
            (None, _, None) => return Ok(None),
        },
        TossWebhook::Other { .. } => return Ok(None),
    };
    Ok(Some(outcome))
}

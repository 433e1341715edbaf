//! `WebhookStore`: inbound receipts with their dedupe, and the outbox fan-out in batches.

use chrono::Duration;
use commerce_domain::ids::DeliveryId;
use commerce_domain::ports::{Fanout, InboundReceipt, ReceiptClaim, WebhookStore};
use commerce_domain::testing::at;
use commerce_domain::webhook::{WebhookEndpoint, WebhookInput};
use serde_json::json;

use crate::support::{checkout_request, count, World};

fn receipt(transmission: Option<&str>, body: &str) -> InboundReceipt {
    InboundReceipt {
        transmission_id: transmission.map(str::to_owned),
        body_sha256: format!("sha-of-{body}"),
        event_type: Some("PAYMENT_STATUS_CHANGED".into()),
        headers: json!({}),
        raw_body: body.to_owned(),
        received_at: at(1),
    }
}

#[tokio::test]
async fn a_receipt_is_claimed_once_and_a_handled_body_is_recognised() {
    let world = World::new().await;
    let store = &world.store;
    let ReceiptClaim::New(first) = store
        .record_receipt(&receipt(Some("t1"), "a"))
        .await
        .unwrap()
    else {
        panic!("a new receipt is to be handled");
    };
    assert_eq!(
        store
            .record_receipt(&receipt(Some("t1"), "a"))
            .await
            .unwrap(),
        ReceiptClaim::Redelivery
    );
    // Same body under a new transmission id, before the first was handled: handle it too.
    assert!(matches!(
        store
            .record_receipt(&receipt(Some("t2"), "a"))
            .await
            .unwrap(),
        ReceiptClaim::New(_)
    ));
    store
        .finish_receipt(first, "unchanged", false)
        .await
        .unwrap();
    assert!(matches!(
        store.record_receipt(&receipt(None, "a")).await.unwrap(),
        ReceiptClaim::BodyHandled(_)
    ));
    // A body whose handling failed (retryable) is not "handled".
    let ReceiptClaim::New(failed) = store
        .record_receipt(&receipt(Some("t3"), "b"))
        .await
        .unwrap()
    else {
        panic!("a new receipt is to be handled");
    };
    store
        .finish_receipt(failed, "retry_later", true)
        .await
        .unwrap();
    assert!(matches!(
        store
            .record_receipt(&receipt(Some("t3"), "b"))
            .await
            .unwrap(),
        ReceiptClaim::New(_)
    ));
    assert_eq!(count(&world.db, "inbound_webhooks").await, 5);
}

#[tokio::test]
async fn a_receipt_stored_handled_is_written_once_with_its_outcome_and_deduped_alike() {
    let world = World::new().await;
    let store = &world.store;
    assert!(matches!(
        store
            .record_handled_receipt(&receipt(Some("t1"), "a"), "unchanged")
            .await
            .unwrap(),
        ReceiptClaim::New(_)
    ));
    assert_eq!(
        store
            .record_handled_receipt(&receipt(Some("t1"), "a"), "unchanged")
            .await
            .unwrap(),
        ReceiptClaim::Redelivery,
        "same transmission id: not stored again"
    );
    // Same body, new transmission: stored, as a duplicate of the handled one.
    assert!(matches!(
        store
            .record_handled_receipt(&receipt(Some("t2"), "a"), "unchanged")
            .await
            .unwrap(),
        ReceiptClaim::BodyHandled(_)
    ));
    // A receipt stored handled counts as handled for the two-step path too.
    assert!(matches!(
        store
            .record_receipt(&receipt(Some("t3"), "a"))
            .await
            .unwrap(),
        ReceiptClaim::BodyHandled(_)
    ));
    let with = |outcome: &str| format!("inbound_webhooks WHERE outcome = '{outcome}'");
    assert_eq!(count(&world.db, &with("unchanged")).await, 1);
    assert_eq!(count(&world.db, &with("duplicate")).await, 1);
    assert_eq!(count(&world.db, &with("received")).await, 1);
    assert_eq!(count(&world.db, "inbound_webhooks").await, 3);
}

#[tokio::test]
async fn a_batch_is_fanned_out_in_one_go_with_its_deliveries() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let cart = world.cart_with(&[(&variant, 1)]).await;
    world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap();
    let endpoint = WebhookEndpoint::create(
        WebhookInput {
            url: Some("https://merchant.example/hooks".into()),
            events: Some(vec!["order.created".into()]),
            is_active: None,
            metadata: None,
        },
        world.ids.as_ref(),
        at(1),
    )
    .unwrap();
    world.store.insert_webhook(&endpoint).await.unwrap();
    let events = world
        .store
        .claim_undispatched_events(at(2), 50, Duration::seconds(60))
        .await
        .unwrap();
    assert!(events.len() >= 2, "a checkout queues several events");
    let batch: Vec<Fanout> = events
        .iter()
        .map(|event| Fanout {
            event: event.id.clone(),
            body: json!({"id": event.id.as_str(), "type": event.event_type}).to_string(),
            deliveries: if event.event_type == "order.created" {
                vec![(
                    DeliveryId::generate(world.ids.as_ref()),
                    endpoint.id.clone(),
                )]
            } else {
                Vec::new()
            },
        })
        .collect();
    world.store.dispatch_events(&batch, at(3)).await.unwrap();
    assert_eq!(count(&world.db, "webhook_deliveries").await, 1);
    assert!(world
        .store
        .claim_undispatched_events(at(400), 50, Duration::seconds(60))
        .await
        .unwrap()
        .is_empty());
    // Fanning the same batch out again (a worker whose lease ran out) adds no delivery.
    let again: Vec<Fanout> = batch
        .iter()
        .map(|f| Fanout {
            deliveries: f
                .deliveries
                .iter()
                .map(|(_, webhook)| (DeliveryId::generate(world.ids.as_ref()), webhook.clone()))
                .collect(),
            ..f.clone()
        })
        .collect();
    world.store.dispatch_events(&again, at(4)).await.unwrap();
    assert_eq!(count(&world.db, "webhook_deliveries").await, 1);
    let due = world
        .store
        .claim_due_deliveries(at(5), 50, Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].body.contains("order.created"));
}

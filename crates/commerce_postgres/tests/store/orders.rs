//! `OrderStore`: reads, and `save_change` with versions, refunds, stock and events.

use commerce_domain::email::Email;
use commerce_domain::ids::{IdempotencyKey, OrderId, OrderNumber};
use commerce_domain::money::Krw;
use commerce_domain::order::OrderStatus;
use commerce_domain::payment::{PaymentStatus, VirtualAccount};
use commerce_domain::ports::{OrderStore, StoreError};
use commerce_domain::provider::{ProviderCancel, ProviderPayment, ProviderStatus};
use commerce_domain::record::{OrderChange, OrderRecord};
use commerce_domain::settle::apply_provider_payment;
use commerce_domain::testing::{at, payment_key, provider_report};

use crate::support::{checkout_request, count, event_types, World};

/// A world with one pending order for 2 units of a variant with 10 in stock.
async fn placed() -> (World, OrderRecord, commerce_domain::ids::VariantId) {
    let world = World::new().await;
    let variant = world.variant(29_000, 10).await;
    let cart = world.cart_with(&[(&variant, 2)]).await;
    let result = world
        .checkout()
        .checkout(checkout_request(&cart))
        .await
        .unwrap();
    (world, result.record, variant)
}

fn report(world: &World, record: &OrderRecord, provider: &ProviderPayment) -> OrderChange {
    apply_provider_payment(record, provider, world.ids.as_ref(), at(100))
        .unwrap()
        .unwrap()
}

fn done(record: &OrderRecord) -> ProviderPayment {
    ProviderPayment {
        approved_at: Some(at(90)),
        raw: serde_json::json!({"status": "DONE", "method": "카드"}),
        ..provider_report(record, ProviderStatus::Done)
    }
}

async fn reload(world: &World, id: &OrderId) -> OrderRecord {
    world.store.get_order(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn lookup_by_number_ignores_the_e_mail_s_case_and_needs_both() {
    let (world, record, _) = placed().await;
    let number = record.order.number;
    let found = world
        .store
        .find_order_by_number(number, &Email::parse("buyer@EXAMPLE.com").unwrap())
        .await
        .unwrap();
    assert_eq!(
        found.map(|r| r.order.id.clone()),
        Some(record.order.id.clone())
    );
    let wrong_mail = world
        .store
        .find_order_by_number(number, &Email::parse("other@example.com").unwrap())
        .await
        .unwrap();
    assert!(wrong_mail.is_none());
    let wrong_number = world
        .store
        .find_order_by_number(OrderNumber::new(99_999), &record.order.email)
        .await
        .unwrap();
    assert!(wrong_number.is_none());
    let unknown = OrderId::generate(world.ids.as_ref());
    assert!(world.store.get_order(&unknown).await.unwrap().is_none());
}

#[tokio::test]
async fn paying_commits_the_reserved_stock_and_queues_events() {
    let (world, record, variant) = placed().await;
    let change = report(&world, &record, &done(&record));
    world.store.save_change(&change).await.unwrap();
    let now = reload(&world, &record.order.id).await;
    assert_eq!(now, change.clone().committed(Vec::new()));
    assert_eq!(now.order.status, OrderStatus::Confirmed);
    assert_eq!(now.payment.status, PaymentStatus::Completed);
    assert_eq!(now.payment.approved_at, Some(at(90)));
    assert_eq!(
        now.payment.provider_raw,
        Some(serde_json::json!({"status": "DONE", "method": "카드"}))
    );
    assert_eq!(world.db.stock(&variant).await, (8, 0), "2 sold");
    assert_eq!(
        event_types(&world.db, &record.order.id).await,
        vec![
            "order.created",
            "payment.created",
            "payment.completed",
            "order.confirmed"
        ]
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_writes_nothing() {
    let (world, record, variant) = placed().await;
    let change = report(&world, &record, &done(&record));
    world.store.save_change(&change).await.unwrap();
    let events_before = count(&world.db, "events").await;
    assert!(matches!(
        world.store.save_change(&change).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        world.db.stock(&variant).await,
        (8, 0),
        "not committed twice"
    );
    assert_eq!(count(&world.db, "events").await, events_before);
}

#[tokio::test]
async fn refunds_are_recorded_once_per_transaction_key_and_a_full_refund_restocks() {
    let (world, record, variant) = placed().await;
    world
        .store
        .save_change(&report(&world, &record, &done(&record)))
        .await
        .unwrap();
    let paid = reload(&world, &record.order.id).await;
    let cancel = |key: &str, won: i64| ProviderCancel {
        transaction_key: key.into(),
        amount: Krw::new(won).unwrap(),
        reason: Some("고객 변심".into()),
        canceled_at: Some(at(200)),
    };
    let partial = ProviderPayment {
        cancels: vec![cancel("txrd_1", 8_000)],
        ..provider_report(&paid, ProviderStatus::PartialCanceled)
    };
    let first = report(&world, &paid, &partial);
    world.store.save_change(&first).await.unwrap();
    // The same cancel, decided concurrently from the same stale read, is refused.
    let duplicate = report(&world, &paid, &partial);
    assert!(matches!(
        world.store.save_change(&duplicate).await,
        Err(StoreError::Conflict)
    ));
    let partly = reload(&world, &record.order.id).await;
    assert_eq!(partly.refunds.len(), 1);
    assert_eq!(partly.payment.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(partly.order.refunded_total.won(), 8_000);
    assert_eq!(world.db.stock(&variant).await, (8, 0));

    let rest = ProviderPayment {
        cancels: vec![cancel("txrd_1", 8_000), cancel("txrd_2", 50_000)],
        balance_amount: Krw::ZERO,
        ..provider_report(&partly, ProviderStatus::PartialCanceled)
    };
    world
        .store
        .save_change(&report(&world, &partly, &rest))
        .await
        .unwrap();
    let refunded = reload(&world, &record.order.id).await;
    assert_eq!(refunded.payment.status, PaymentStatus::Refunded);
    assert_eq!(refunded.order.status, OrderStatus::Cancelled);
    let keys: Vec<_> = refunded
        .refunds
        .iter()
        .map(|r| r.provider_transaction_key.as_str())
        .collect();
    assert_eq!(keys, vec!["txrd_1", "txrd_2"]);
    assert_eq!(world.db.stock(&variant).await, (10, 0), "restocked");
    let refunds_events = event_types(&world.db, &record.order.id)
        .await
        .into_iter()
        .filter(|t| t == "payment.refunded")
        .count();
    assert_eq!(refunds_events, 2);
}

#[tokio::test]
async fn a_virtual_account_and_its_secret_are_kept() {
    let (world, record, variant) = placed().await;
    let mut claimed = record.clone();
    let mut payment = claimed.payment.clone();
    payment
        .begin_confirm(
            payment_key(),
            IdempotencyKey::parse("confirm-1").unwrap(),
            at(50),
        )
        .unwrap();
    claimed.payment = payment;
    world
        .store
        .save_change(&OrderChange {
            order: claimed.order.clone(),
            payment: claimed.payment.clone(),
            new_refunds: Vec::new(),
            stock: Vec::new(),
            events: Vec::new(),
        })
        .await
        .unwrap();
    let confirming = reload(&world, &record.order.id).await;
    assert_eq!(confirming.payment.status, PaymentStatus::Confirming);
    assert_eq!(
        confirming
            .payment
            .confirm_idempotency_key
            .as_ref()
            .map(|k| k.as_str()),
        Some("confirm-1")
    );
    let account = VirtualAccount {
        bank_code: Some("88".into()),
        account_number: "X6543210987".into(),
        customer_name: Some("김민수".into()),
        due_date: Some(at(3 * 86_400)),
    };
    let waiting = ProviderPayment {
        virtual_account: Some(account.clone()),
        secret: Some("ps_0123456789abcdefghijklmnopq".into()),
        ..provider_report(&confirming, ProviderStatus::WaitingForDeposit)
    };
    world
        .store
        .save_change(&report(&world, &confirming, &waiting))
        .await
        .unwrap();
    let now = reload(&world, &record.order.id).await;
    assert_eq!(now.payment.status, PaymentStatus::AwaitingDeposit);
    assert_eq!(now.payment.virtual_account, Some(account));
    assert!(now
        .payment
        .deposit_secret_matches("ps_0123456789abcdefghijklmnopq"));
    assert_eq!(now.order.expires_at, at(3 * 86_400));
    assert_eq!(world.db.stock(&variant).await, (10, 2), "still reserved");
}

#[tokio::test]
async fn admin_lists_filter_by_status_and_payment_status_newest_first() {
    let world = World::new().await;
    let variant = world.variant(1_000, 10).await;
    let mut records = Vec::new();
    for n in 0..3 {
        let cart = world.cart_with(&[(&variant, 1)]).await;
        let mut service = world.checkout();
        if n > 0 {
            service = commerce_domain::usecases::CheckoutService::new(
                crate::support::ports(&world.store, world.ids.clone(), n * 10),
                chrono::Duration::minutes(30),
            );
        }
        records.push(
            service
                .checkout(checkout_request(&cart))
                .await
                .unwrap()
                .record,
        );
    }
    let paid = &records[1];
    world
        .store
        .save_change(&report(&world, paid, &done(paid)))
        .await
        .unwrap();
    let orders = commerce_domain::usecases::OrderService::new(world.ports());
    let page = |limit, after: Option<String>| {
        commerce_domain::catalog::PageRequest::new(Some(limit), after).unwrap()
    };

    let all = orders.list(None, None, page(2, None)).await.unwrap();
    assert_eq!(all.total_count, Some(3));
    assert!(all.has_more);
    assert_eq!(all.items[0].order.id, records[2].order.id, "newest first");
    let rest = orders
        .list(None, None, page(2, Some(all.items[1].order.id.to_string())))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].order.id, records[0].order.id);

    let confirmed = orders
        .list(Some("confirmed"), None, page(10, None))
        .await
        .unwrap();
    assert_eq!(confirmed.items.len(), 1);
    let unpaid = orders
        .list(None, Some("unpaid"), page(10, None))
        .await
        .unwrap();
    assert_eq!(unpaid.total_count, Some(2));
    assert!(orders
        .list(Some("shipped"), None, page(10, None))
        .await
        .is_err());

    let events = orders.events(&paid.order.id).await.unwrap();
    let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        vec![
            "order.created",
            "payment.created",
            "payment.completed",
            "order.confirmed"
        ]
    );
}

#[tokio::test]
async fn a_save_dropped_halfway_or_refused_leaves_no_transaction_open_on_its_connection() {
    let (world, record, variant) = placed().await;
    // One connection, so a session left inside a transaction would be handed out again.
    let single = world.db.store_with(1);
    let change = report(&world, &record, &done(&record));

    // Another session holds the order's row, so the save stops inside its transaction
    // (BEGIN and the first statements sent); it is dropped there, then the row is released.
    single.get_order(&record.order.id).await.unwrap();
    let mut holder = world.db.conn().await;
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("BEGIN")
            .execute(&mut holder)
            .await
            .unwrap();
        diesel::sql_query("SELECT id FROM orders WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(record.order.id.as_str())
            .execute(&mut holder)
            .await
            .unwrap();
    }
    let dropped = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        single.save_change(&change),
    )
    .await;
    assert!(dropped.is_err(), "the save was cut short");
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("ROLLBACK")
            .execute(&mut holder)
            .await
            .unwrap();
    }

    single.save_change(&change).await.unwrap();
    // The same change again is over stale versions: refused and rolled back.
    assert!(matches!(
        single.save_change(&change).await,
        Err(StoreError::Conflict)
    ));
    let now = single.get_order(&record.order.id).await.unwrap().unwrap();
    assert_eq!(now, change.clone().committed(Vec::new()));
    assert_eq!(world.db.stock(&variant).await, (8, 0), "sold once");
    assert_eq!(
        event_types(&world.db, &record.order.id).await.len(),
        4,
        "the approval's events queued once"
    );
    assert_eq!(crate::support::idle_in_transaction(&world).await, 0);
}

#[tokio::test]
async fn an_order_s_payment_reads_alone() {
    let (world, record, _) = placed().await;
    assert_eq!(
        world
            .store
            .get_payment_of_order(&record.order.id)
            .await
            .unwrap(),
        Some(record.payment.clone())
    );
    let unknown = OrderId::generate(world.ids.as_ref());
    assert!(world
        .store
        .get_payment_of_order(&unknown)
        .await
        .unwrap()
        .is_none());
}

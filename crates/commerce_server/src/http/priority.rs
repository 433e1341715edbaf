//! The payment confirmation's place in the queue for database connections.
//!
//! The store hands a freed connection to the waiting request that arrived first: the
//! request-id layer runs every request inside `commerce_postgres::as_request(arrival, …)`. A
//! confirm takes a connection three times (read, claim, record) around its call to Toss, so
//! under load it collects more waits than any other storefront route, and it is the one a
//! customer who has already paid is waiting on. This layer moves the rank the request carries
//! [`HeadStart`] earlier: a confirm overtakes cart traffic that arrived less than that before
//! it, and nothing waits longer than the head start more than it would in strict arrival
//! order, so nothing can starve.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

/// How much earlier than its arrival a payment confirmation queues (app data; zero or absent
/// serves it strictly by arrival).
#[derive(Debug, Clone, Copy)]
pub struct HeadStart(pub Duration);

/// The layer, for the confirm route.
pub async fn payment_first(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let head_start = request
        .app_data::<web::Data<HeadStart>>()
        .map_or(Duration::ZERO, |h| h.0);
    let arrival = commerce_postgres::request_rank().unwrap_or_else(Instant::now);
    let rank = arrival.checked_sub(head_start).unwrap_or(arrival);
    commerce_postgres::as_request(rank, next.call(request)).await
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{test, App, HttpResponse};

    use super::*;

    /// Answers how far ahead of the request's arrival its connection requests are ranked, in
    /// milliseconds.
    async fn ahead_by(arrival: web::Data<Instant>) -> HttpResponse {
        HttpResponse::Ok().body(match commerce_postgres::request_rank() {
            Some(rank) => arrival.duration_since(rank).as_millis().to_string(),
            None => "unranked".to_owned(),
        })
    }

    /// Serves one request that arrived now, as the request-id layer does, through the confirm
    /// route with this layer (`wrapped`) or without it.
    async fn answer(head_start: Option<u64>, wrapped: bool) -> String {
        let arrival = Instant::now();
        let mut app = App::new().app_data(web::Data::new(arrival));
        if let Some(ms) = head_start {
            app = app.app_data(web::Data::new(HeadStart(Duration::from_millis(ms))));
        }
        let request = || test::TestRequest::post().uri("/confirm").to_request();
        let body = if wrapped {
            let app = test::init_service(
                app.service(
                    web::resource("/confirm")
                        .wrap(from_fn(payment_first))
                        .route(web::post().to(ahead_by)),
                ),
            )
            .await;
            commerce_postgres::as_request(arrival, test::call_and_read_body(&app, request())).await
        } else {
            let app = test::init_service(app.route("/confirm", web::post().to(ahead_by))).await;
            commerce_postgres::as_request(arrival, test::call_and_read_body(&app, request())).await
        };
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[actix_web::test]
    async fn a_confirm_queues_as_if_it_had_arrived_its_head_start_earlier() {
        assert_eq!(answer(Some(30), true).await, "30");
    }

    #[actix_web::test]
    async fn other_routes_and_a_zero_head_start_queue_by_arrival() {
        assert_eq!(answer(Some(30), false).await, "0");
        assert_eq!(answer(Some(0), true).await, "0");
        assert_eq!(answer(None, true).await, "0");
    }
}

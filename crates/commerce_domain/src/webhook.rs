//! Outbound merchant webhooks (SPEC §8): endpoints, which events they receive, and when a
//! failed delivery is tried again. The sending itself is the server's.

use chrono::{DateTime, Duration, Utc};

use crate::ids::WebhookId;
use crate::ports::IdGenerator;
use crate::validation::{FieldError, ValidationErrors};
use crate::Metadata;

/// Event types an endpoint may subscribe to (`*` is every one).
pub const EVENT_TYPES: &[&str] = &[
    "order.created",
    "order.confirmed",
    "order.cancelled",
    "order.completed",
    "payment.created",
    "payment.completed",
    "payment.failed",
    "payment.refunded",
    "inventory.low",
];

/// A merchant's endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: WebhookId,
    /// Where deliveries go (http or https).
    pub url: String,
    /// Subscribed event types, or `["*"]`.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub is_active: bool,
    /// The signing secret (`whsec_…`).
    pub secret: String,
    /// Client data.
    pub metadata: Metadata,
    /// Why it was switched off, when the system did it.
    pub disabled_reason: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An endpoint as the admin API creates or changes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookInput {
    /// The URL.
    pub url: Option<String>,
    /// Event types or `["*"]`.
    pub events: Option<Vec<String>>,
    /// On or off.
    pub is_active: Option<bool>,
    /// Client data.
    pub metadata: Option<Metadata>,
}

fn check_url(url: &str, errors: &mut Vec<FieldError>) {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2_000
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty())
        && !url.chars().any(char::is_whitespace);
    if !ok {
        errors.push(FieldError::new("url", "invalid", "must be an http(s) URL"));
    }
}

fn check_events(events: &[String], errors: &mut Vec<FieldError>) {
    let ok = !events.is_empty()
        && events
            .iter()
            .all(|e| e == "*" || EVENT_TYPES.contains(&e.as_str()));
    if !ok {
        errors.push(FieldError::new(
            "events",
            "invalid",
            format!(
                "must be [\"*\"] or event types among {}",
                EVENT_TYPES.join(", ")
            ),
        ));
    }
}

impl WebhookEndpoint {
    /// Creates an endpoint with a fresh signing secret.
    ///
    /// # Errors
    /// [`ValidationErrors`] for a missing or bad URL or unknown event types.
    pub fn create(
        input: WebhookInput,
        ids: &dyn IdGenerator,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = Vec::new();
        let url = input.url.unwrap_or_default();
        check_url(&url, &mut errors);
        let events = input.events.unwrap_or_else(|| vec!["*".to_owned()]);
        check_events(&events, &mut errors);
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        Ok(WebhookEndpoint {
            id: WebhookId::generate(ids),
            url,
            events,
            is_active: input.is_active.unwrap_or(true),
            secret: format!("whsec_{:032x}{:032x}", ids.random_u128(), ids.random_u128()),
            metadata: input.metadata.unwrap_or_default(),
            disabled_reason: None,
            created_at: now,
            updated_at: now,
        })
    }

    /// Applies admin changes; switching an endpoint on clears why it was off.
    ///
    /// # Errors
    /// [`ValidationErrors`]; the endpoint is unchanged then.
    pub fn apply(
        &mut self,
        input: WebhookInput,
        now: DateTime<Utc>,
    ) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        if let Some(url) = &input.url {
            check_url(url, &mut errors);
        }
        if let Some(events) = &input.events {
            check_events(events, &mut errors);
        }
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        if let Some(url) = input.url {
            self.url = url;
        }
        if let Some(events) = input.events {
            self.events = events;
        }
        if let Some(active) = input.is_active {
            self.is_active = active;
            if active {
                self.disabled_reason = None;
            }
        }
        if let Some(metadata) = input.metadata {
            self.metadata = metadata;
        }
        self.updated_at = now;
        Ok(())
    }

    /// True when the endpoint receives events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.is_active && self.events.iter().any(|e| e == "*" || e == event_type)
    }
}

/// What to do after a delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryNext {
    /// Delivered.
    Succeeded,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Give up; switch the endpoint off, saying why.
    GiveUp {
        /// Why, for the endpoint's `disabled_reason` and the log.
        reason: String,
    },
}

/// Delays after each failed attempt: 8 attempts spread over about a day.
pub const RETRY_DELAYS_SECONDS: [i64; 7] = [60, 300, 900, 3_600, 10_800, 21_600, 43_200];

/// The next step after attempt number `attempt` (1 for the first) answered `status` (`None`:
/// no answer). 2xx succeeds; 410 Gone gives up at once; anything else is retried with
/// exponential backoff, `scale` times the nominal delays, with `jitter` (0.0..=1.0, from the
/// caller's randomness) spreading ±10 %, until the attempts run out.
pub fn next_after(
    attempt: u32,
    status: Option<u16>,
    now: DateTime<Utc>,
    scale: f64,
    jitter: f64,
) -> DeliveryNext {
    match status {
        Some(code) if (200..300).contains(&code) => return DeliveryNext::Succeeded,
        Some(410) => {
            return DeliveryNext::GiveUp {
                reason: "the endpoint answered 410 Gone".to_owned(),
            }
        }
        _ => {}
    }
    let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(usize::MAX);
    match RETRY_DELAYS_SECONDS.get(index) {
        Some(seconds) => {
            let factor = scale.max(0.0) * (0.9 + 0.2 * jitter.clamp(0.0, 1.0));
            let millis =
                (f64::from(i32::try_from(*seconds).unwrap_or(i32::MAX)) * 1_000.0 * factor).round();
            let millis = if (0.0..1e15).contains(&millis) {
                format!("{millis:.0}").parse::<i64>().unwrap_or(0)
            } else {
                0
            };
            DeliveryNext::RetryAt(now + Duration::milliseconds(millis))
        }
        None => DeliveryNext::GiveUp {
            reason: format!(
                "every delivery attempt failed ({attempt} attempts over the retry window)"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, SequenceIds};

    fn create(url: &str, events: Option<Vec<&str>>) -> Result<WebhookEndpoint, ValidationErrors> {
        WebhookEndpoint::create(
            WebhookInput {
                url: Some(url.into()),
                events: events.map(|e| e.into_iter().map(str::to_owned).collect()),
                ..WebhookInput::default()
            },
            &SequenceIds::default(),
            at(0),
        )
    }

    #[test]
    fn an_endpoint_gets_a_secret_and_every_event_by_default() {
        let endpoint = create("https://merchant.example/hooks", None).unwrap();
        assert!(endpoint.secret.starts_with("whsec_") && endpoint.secret.len() == 6 + 64);
        assert!(endpoint.wants("payment.refunded"));
        assert!(endpoint.is_active);
    }

    #[test]
    fn bad_urls_and_unknown_events_are_refused() {
        assert!(create("ftp://x", None).is_err());
        assert!(create("https://", None).is_err());
        assert!(create("https://ok.example", Some(vec!["order.shipped"])).is_err());
        assert!(create("https://ok.example", Some(vec![])).is_err());
    }

    #[test]
    fn subscriptions_filter_events_and_off_means_nothing() {
        let mut endpoint = create("https://ok.example", Some(vec!["payment.refunded"])).unwrap();
        assert!(endpoint.wants("payment.refunded"));
        assert!(!endpoint.wants("order.created"));
        endpoint.is_active = false;
        assert!(!endpoint.wants("payment.refunded"));
    }

    #[test]
    fn success_is_2xx_and_410_gives_up_at_once() {
        assert_eq!(
            next_after(1, Some(204), at(0), 1.0, 0.5),
            DeliveryNext::Succeeded
        );
        assert!(matches!(
            next_after(1, Some(410), at(0), 1.0, 0.5),
            DeliveryNext::GiveUp { .. }
        ));
    }

    #[test]
    fn failures_back_off_exponentially_with_jitter_then_give_up() {
        assert_eq!(
            next_after(1, Some(500), at(0), 1.0, 0.5),
            DeliveryNext::RetryAt(at(60))
        );
        assert_eq!(
            next_after(2, None, at(0), 1.0, 0.5),
            DeliveryNext::RetryAt(at(300))
        );
        assert_eq!(
            next_after(7, Some(503), at(0), 1.0, 0.5),
            DeliveryNext::RetryAt(at(43_200))
        );
        let DeliveryNext::RetryAt(early) = next_after(1, Some(500), at(0), 1.0, 0.0) else {
            panic!()
        };
        assert_eq!(early, at(54));
        assert!(matches!(
            next_after(8, Some(500), at(0), 1.0, 0.5),
            DeliveryNext::GiveUp { .. }
        ));
        let total: i64 = RETRY_DELAYS_SECONDS.iter().sum();
        assert!(
            (20 * 3_600..=26 * 3_600).contains(&total),
            "about a day: {total}"
        );
        assert_eq!(
            next_after(1, Some(500), at(0), 0.001, 0.5),
            DeliveryNext::RetryAt(at(0) + Duration::milliseconds(60))
        );
    }
}

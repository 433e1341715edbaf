//! How our outbound webhooks are signed (SPEC §8), so receivers can verify them: the
//! SDK-compatible `X-Webhook-Signature` (lower-case hex HMAC-SHA256 of the raw body) and, for
//! replay protection, `X-Webhook-Signature-256: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<raw body>">` with `X-Webhook-Timestamp`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Lower-case hex HMAC-SHA256 of `message` under `secret`.
pub fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The headers that sign `body` at unix time `timestamp`: (`X-Webhook-Signature`,
/// `X-Webhook-Signature-256`).
pub fn signatures(secret: &str, body: &str, timestamp: i64) -> (String, String) {
    let plain = hmac_hex(secret, body.as_bytes());
    let stamped = hmac_hex(secret, format!("{timestamp}.{body}").as_bytes());
    (plain, format!("t={timestamp},v1={stamped}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_stamped_signature_covers_the_timestamp() {
        let (plain, stamped) = signatures("whsec_x", "{}", 1_795_694_400);
        assert_eq!(plain, hmac_hex("whsec_x", b"{}"));
        assert_eq!(
            stamped,
            format!("t=1795694400,v1={}", hmac_hex("whsec_x", b"1795694400.{}"))
        );
    }
}

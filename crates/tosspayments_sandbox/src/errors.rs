//! Toss's error answers: `{"code", "message"}` with the HTTP status Toss uses for each code.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::json;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TossError {
    /// HTTP status.
    pub status: u16,
    /// Toss's code.
    pub code: String,
    /// Toss's message (Korean, as Toss's default).
    pub message: String,
}

/// Codes with their status and message, from Toss's per-endpoint tables.
const KNOWN: &[(&str, u16, &str)] = &[
    ("ALREADY_PROCESSED_PAYMENT", 400, "이미 처리된 결제 입니다."),
    ("INVALID_REQUEST", 400, "잘못된 요청입니다."),
    (
        "UNAPPROVED_ORDER_ID",
        400,
        "아직 승인되지 않은 주문번호입니다.",
    ),
    (
        "PROVIDER_ERROR",
        400,
        "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.",
    ),
    (
        "CARD_PROCESSING_ERROR",
        400,
        "카드사에서 오류가 발생했습니다.",
    ),
    ("INVALID_API_KEY", 400, "잘못된 시크릿키 연동 정보 입니다."),
    ("INVALID_CARD_NUMBER", 400, "카드번호를 다시 확인해주세요."),
    ("INVALID_STOPPED_CARD", 400, "정지된 카드 입니다."),
    (
        "INVALID_CARD_EXPIRATION",
        400,
        "카드 정보를 다시 확인해주세요. (유효기간)",
    ),
    (
        "INVALID_REJECT_CARD",
        400,
        "카드 사용이 거절되었습니다. 카드사 문의가 필요합니다.",
    ),
    (
        "INVALID_CARD_LOST_OR_STOLEN",
        400,
        "분실 혹은 도난 카드입니다.",
    ),
    (
        "EXCEED_MAX_CARD_INSTALLMENT_PLAN",
        400,
        "설정 가능한 최대 할부 개월 수를 초과했습니다.",
    ),
    ("BELOW_MINIMUM_AMOUNT", 400, "최소 결제 금액보다 적습니다."),
    ("EXCEED_MAX_AMOUNT", 400, "거래금액 한도를 초과했습니다."),
    (
        "EXCEED_MAX_DAILY_PAYMENT_COUNT",
        400,
        "하루 결제 가능 횟수를 초과했습니다.",
    ),
    (
        "NOT_AVAILABLE_PAYMENT",
        400,
        "결제가 불가능한 시간대입니다.",
    ),
    ("ALREADY_CANCELED_PAYMENT", 400, "이미 취소된 결제 입니다."),
    ("ALREADY_REFUND_PAYMENT", 400, "이미 환불된 결제입니다."),
    (
        "NOT_MATCHES_REFUNDABLE_AMOUNT",
        400,
        "잔액 결과가 일치하지 않습니다.",
    ),
    (
        "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT",
        400,
        "즉시할인금액보다 적은 금액은 부분취소가 불가능합니다.",
    ),
    ("REFUND_REJECTED", 400, "환불이 거절됐습니다."),
    (
        "INVALID_IDEMPOTENCY_KEY",
        400,
        "멱등키 형식이 올바르지 않습니다.",
    ),
    (
        "UNAUTHORIZED_KEY",
        401,
        "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.",
    ),
    (
        "REJECT_CARD_PAYMENT",
        403,
        "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
    ),
    ("REJECT_CARD_COMPANY", 403, "결제 승인이 거절되었습니다."),
    (
        "REJECT_ACCOUNT_PAYMENT",
        403,
        "잔액부족으로 결제에 실패했습니다.",
    ),
    (
        "REJECT_TOSSPAY_INVALID_ACCOUNT",
        403,
        "선택하신 출금 계좌가 출금이체 등록이 되어 있지 않아요.",
    ),
    ("FDS_ERROR", 403, "위험거래가 감지되어 결제가 제한됩니다."),
    ("FORBIDDEN_REQUEST", 403, "허용되지 않은 요청입니다."),
    (
        "INCORRECT_BASIC_AUTH_FORMAT",
        403,
        "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.",
    ),
    (
        "EXCEED_MAX_AUTH_COUNT",
        403,
        "최대 인증 횟수를 초과했습니다.",
    ),
    (
        "EXCEED_MAX_ONE_DAY_AMOUNT",
        403,
        "일일 한도를 초과했습니다.",
    ),
    ("NOT_AVAILABLE_BANK", 403, "은행 서비스 시간이 아닙니다."),
    (
        "INVALID_PASSWORD",
        403,
        "결제 비밀번호가 일치하지 않습니다.",
    ),
    ("NOT_CANCELABLE_AMOUNT", 403, "취소 할 수 없는 금액 입니다."),
    (
        "NOT_CANCELABLE_PAYMENT",
        403,
        "취소 할 수 없는 결제 입니다.",
    ),
    (
        "EXCEED_MAX_REFUND_DUE",
        403,
        "환불 가능한 기간이 지났습니다.",
    ),
    (
        "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT",
        403,
        "입금 대기중인 결제는 부분 환불이 불가합니다.",
    ),
    (
        "NOT_ALLOWED_PARTIAL_REFUND",
        403,
        "부분 환불이 불가능합니다.",
    ),
    (
        "FORBIDDEN_CONSECUTIVE_REQUEST",
        403,
        "반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요.",
    ),
    ("NOT_FOUND_PAYMENT", 404, "존재하지 않는 결제 정보 입니다."),
    (
        "NOT_FOUND_PAYMENT_SESSION",
        404,
        "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
    ),
    ("NOT_FOUND", 404, "존재하지 않는 정보 입니다."),
    (
        "IDEMPOTENT_REQUEST_PROCESSING",
        409,
        "이전 멱등 요청이 처리중입니다. 잠시 후 다시 시도해주세요.",
    ),
    (
        "FAILED_INTERNAL_SYSTEM_PROCESSING",
        500,
        "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.",
    ),
    (
        "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
        500,
        "결제가 완료되지 않았어요. 다시 시도해주세요.",
    ),
    (
        "UNKNOWN_PAYMENT_ERROR",
        500,
        "결제에 실패했어요. 같은 문제가 반복된다면 은행이나 카드사로 문의해주세요.",
    ),
    (
        "FAILED_REFUND_PROCESS",
        500,
        "은행 응답시간 지연이나 일시적인 오류로 환불요청에 실패했습니다.",
    ),
    (
        "FAILED_METHOD_HANDLING_CANCEL",
        500,
        "취소 중 결제 시 사용한 결제 수단 처리과정에서 일시적인 오류가 발생했습니다.",
    ),
    (
        "FAILED_PARTIAL_REFUND",
        500,
        "은행 점검, 해약 계좌 등의 사유로 부분 환불이 실패했습니다.",
    ),
    (
        "COMMON_ERROR",
        500,
        "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.",
    ),
];

impl TossError {
    /// The error for `code`, with Toss's status and message; unknown codes answer 400.
    pub fn of(code: &str) -> Self {
        let (status, message) = KNOWN
            .iter()
            .find(|(known, _, _)| *known == code)
            .map(|(_, status, message)| (*status, (*message).to_owned()))
            .unwrap_or((400, "요청을 처리할 수 없습니다.".to_owned()));
        TossError {
            status,
            code: code.to_owned(),
            message,
        }
    }

    /// The same error with another message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        json!({"code": self.code, "message": self.message})
    }

    /// The HTTP answer.
    pub fn response(&self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST))
            .json(self.body())
    }
}

/// True for a confirm error that ends the payment (`ABORTED`) rather than a passing trouble.
pub fn aborts_payment(code: &str) -> bool {
    code.starts_with("REJECT_")
        || code.starts_with("INVALID_CARD")
        || matches!(
            code,
            "INVALID_STOPPED_CARD"
                | "INVALID_REJECT_CARD"
                | "FDS_ERROR"
                | "EXCEED_MAX_CARD_INSTALLMENT_PLAN"
                | "EXCEED_MAX_DAILY_PAYMENT_COUNT"
                | "EXCEED_MAX_AMOUNT"
                | "EXCEED_MAX_ONE_DAY_AMOUNT"
                | "INVALID_PASSWORD"
                | "NOT_AVAILABLE_PAYMENT"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_carry_toss_statuses() {
        assert_eq!(TossError::of("REJECT_CARD_PAYMENT").status, 403);
        assert_eq!(TossError::of("NOT_FOUND_PAYMENT_SESSION").status, 404);
        assert_eq!(TossError::of("PROVIDER_ERROR").status, 400);
        assert_eq!(
            TossError::of("FAILED_INTERNAL_SYSTEM_PROCESSING").status,
            500
        );
        assert_eq!(TossError::of("SOMETHING_ELSE").status, 400);
    }

    #[test]
    fn rejections_abort_and_transient_codes_do_not() {
        assert!(aborts_payment("REJECT_CARD_COMPANY"));
        assert!(aborts_payment("INVALID_CARD_EXPIRATION"));
        assert!(!aborts_payment("PROVIDER_ERROR"));
        assert!(!aborts_payment("FAILED_INTERNAL_SYSTEM_PROCESSING"));
    }
}

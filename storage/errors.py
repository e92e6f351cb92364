"""The one error type of Postcraft: a stable code and a message that says what to do."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable error codes; api/ maps each to an HTTP status once."""

    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    BRAND_NOT_FOUND = "brand_not_found"
    JOB_NOT_FOUND = "job_not_found"
    DRAFT_NOT_FOUND = "draft_not_found"
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_ITEM_NOT_FOUND = "plan_item_not_found"
    USER_NOT_FOUND = "user_not_found"
    WORKSPACE_NOT_FOUND = "workspace_not_found"
    ALREADY_EXISTS = "already_exists"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    VERSION_CONFLICT = "version_conflict"
    VERSION_REQUIRED = "version_required"
    REVIEW_NOT_ALLOWED = "review_not_allowed"
    NOT_APPROVABLE = "not_approvable"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INVALID_REQUEST = "invalid_request"
    INVALID_INPUT_FILE = "invalid_input_file"
    NO_BRAND_KNOWLEDGE = "no_brand_knowledge"
    QUOTA_EXCEEDED = "quota_exceeded"
    DATABASE_BUSY = "database_busy"
    DATABASE_UNAVAILABLE = "database_unavailable"
    LLM_UNAVAILABLE = "llm_unavailable"
    LLM_INVALID_OUTPUT = "llm_invalid_output"
    JOB_ATTEMPTS_EXHAUSTED = "job_attempts_exhausted"
    JOB_TIMED_OUT = "job_timed_out"
    INTERNAL = "internal"


class PostcraftError(Exception):
    """A failure the caller can act on: `code` is stable, `detail` is for people, and
    `retry_after_s`, when set, is how many seconds to wait before the same request may succeed
    (the API sends it as `Retry-After`)."""

    def __init__(self, code: ErrorCode, detail: str, retry_after_s: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        if retry_after_s is not None and retry_after_s < 1:
            raise ValueError("retry_after_s must be a positive number of seconds")
        self.code = code
        self.detail = detail
        self.retry_after_s = retry_after_s

    @property
    def retry_later(self) -> bool:
        """True when the same request may succeed later without change."""
        return self.code in (ErrorCode.LLM_UNAVAILABLE, ErrorCode.QUOTA_EXCEEDED)

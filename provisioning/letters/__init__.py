"""Official letters as PDF: one function per letter, rendered by WeasyPrint.

Callers (services, after commit) build a plain context, call the letter's function and
store the bytes with their SHA-256 and the verification code they put in the context.
"""

from provisioning.letters.documents import (
    CONNECTION_MODELS,
    LetterContextError,
    account_notice_letter,
    apology_letter,
    archive_letter,
    decision_letter,
    handover_letter,
    receipt_letter,
    request_letter,
)
from provisioning.letters.rendering import (
    new_verification_code,
    qr_data_uri,
    render_pdf,
    verification_url,
)

__all__ = [
    "CONNECTION_MODELS",
    "LetterContextError",
    "account_notice_letter",
    "apology_letter",
    "archive_letter",
    "decision_letter",
    "handover_letter",
    "new_verification_code",
    "qr_data_uri",
    "receipt_letter",
    "render_pdf",
    "request_letter",
    "verification_url",
]

"""One function per letter: a plain context in, PDF bytes out.

Each function takes a dict (or any object whose attributes are the keys; nested values may
be dicts or objects, the templates read both) and passes on only the keys its letter
prints, so nothing else a caller happens to hold (a model, an account) can reach the page.

Keys shared by letters issued by an agency (all but the request, which the facility signs):
    issuer             lines of the issuing body, parent first: ["UBND TỈNH BẮC NINH", "SỞ Y TẾ"]
    number             number and symbol without "Số:": "12/TB-SYT" (optional)
    place, date        "Bắc Ninh" and a date: "Bắc Ninh, ngày 27 tháng 11 năm 2026"
    signature          {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "…"}
                       (authority and "note" optional)
    recipients         ["Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, NVD"] (optional)
    verification_code  from new_verification_code(), stored with the letter; printed with a
                       QR code pointing at {SITE_URL}/xac-thuc/{code}/
Dates are datetime.date; moments are aware datetimes, printed in local time.
"""

from collections.abc import Mapping

from provisioning.letters.rendering import qr_data_uri, render_pdf, verification_url

# Keys are written as one space-separated string per letter: easier to read than tuples.
ISSUED = "issuer place date signature verification_code"
ISSUED_OPTIONAL = "number recipients"

CONNECTION_MODELS = {
    "direct": "Trực tiếp, bằng tài khoản riêng của cơ sở",
    "vendor": "Qua hệ thống trung gian của đơn vị cung cấp phần mềm",
}
# Words that must never appear among a handover's keys: the initial password travels by
# its own channel (see DOMAIN.md), and a printed password outlives any change of it.
SECRET_KEY_WORDS = ("password", "mat_khau", "secret")
HANDOVER_REQUIRED = (
    "issuer place date verification_code handed_at location giver receiver facility username "
    "national_system"
)
HANDOVER_OPTIONAL = "number login_url vendor password_min_length lock_after_days"


class LetterContextError(ValueError):
    """The context lacks something the letter must print, or carries what it must not."""


def request_letter(context) -> bytes:
    """Đơn đề nghị cấp tài khoản liên thông, signed by the facility's representative.

    Keys: place, date, verification_code (optional: the draft a facility prints and signs
    has none); addressee ("Sở Y tế tỉnh Bắc Ninh");
    facility {name, kind, address, tax_code, phone, email, code?, insurance_code?,
    business_certificate {number, date, issuer?}, gpp_certificate {number, date, kind?}?,
    pharmacist {name, certificate_number}}; vendor {name, software?};
    connection_model ("direct" or "vendor"); national_system (its full name);
    attachments (list of document titles); representative {name}.
    """
    values = _values(context)
    model = values.get("connection_model")
    if model not in CONNECTION_MODELS:
        raise LetterContextError(f"connection_model must be one of {sorted(CONNECTION_MODELS)}")
    return _render(
        "letters/request.html",
        values,
        required="place date addressee facility vendor national_system attachments representative",
        optional="verification_code",
        extra={"connection_model_label": CONNECTION_MODELS[model]},
    )


def receipt_letter(context) -> bytes:
    """Phiếu tiếp nhận hồ sơ và hẹn trả kết quả.

    Keys: the shared ones; agency_name ("Sở Y tế tỉnh Bắc Ninh"); dossier_code;
    lookup_code (the facility's secret code for looking the dossier up); facility
    {name, address}; applicant {name, phone, email}; request (what is asked);
    documents (list of {title, form, count?}); working_days; received_at (datetime);
    due_date; lookup_url and result_channel (optional).
    """
    return _render(
        "letters/receipt.html",
        _values(context),
        required=f"{ISSUED} agency_name dossier_code lookup_code facility applicant request "
        "documents working_days received_at due_date",
        optional=f"{ISSUED_OPTIONAL} lookup_url result_channel",
    )


def decision_letter(context) -> bytes:
    """Thông báo kết quả: approval, or rejection with its reasons.

    Keys: the shared ones (number expected); agency_name; facility {name, address,
    code?, business_certificate {number}}; dossier_code; submitted_on (date);
    national_system; approved (bool); reasons (list, required when rejecting);
    handover_by (optional, e.g. "Chi nhánh Viettel Bắc Ninh").
    """
    values = _values(context)
    # A refusal without reasons is unlawful for an administrative decision, and useless
    # to a facility that wants to apply again.
    if not values.get("approved") and not values.get("reasons"):
        raise LetterContextError("A rejection must give its reasons.")
    return _render(
        "letters/decision.html",
        values,
        required=f"{ISSUED} agency_name facility dossier_code submitted_on national_system",
        optional=f"{ISSUED_OPTIONAL} approved reasons handover_by",
    )


def handover_letter(context) -> bytes:
    """Biên bản bàn giao tài khoản liên thông, between the Viettel branch and the facility.

    Keys: issuer (the branch), place, date, verification_code, number (optional);
    handed_at (datetime); location; giver {organisation, name, title, phone?};
    receiver {name, title}; facility {name, address, code}; username; national_system;
    login_url, vendor, password_min_length, lock_after_days (optional).
    Never a password: a context with a key naming one is refused.
    """
    values = _values(context)
    secret_keys = [
        key
        for key in values
        if key not in HANDOVER_OPTIONAL.split()
        and any(word in key.lower() for word in SECRET_KEY_WORDS)
    ]
    if secret_keys:
        raise LetterContextError(f"A handover letter never carries a password: {secret_keys}")
    return _render(
        "letters/handover.html",
        values,
        required=HANDOVER_REQUIRED,
        optional=HANDOVER_OPTIONAL,
    )


def apology_letter(context) -> bytes:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, for a dossier that will be late.

    Keys: the shared ones; agency_name; facility {name}; dossier_code;
    received_on (date); old_due_date; new_due_date; reason (a sentence, ending with '.').
    """
    return _render(
        "letters/apology.html",
        _values(context),
        required=f"{ISSUED} agency_name facility dossier_code received_on old_due_date "
        "new_due_date reason",
        optional=ISSUED_OPTIONAL,
    )


def archive_letter(context) -> bytes:
    """Hồ sơ lưu: the whole history of a dossier, numbered "Trang n/N" on every page.

    Keys: issuer, place, date, verification_code, number/signature/recipients (optional);
    facility {name, kind, address, tax_code, code?}; national_system; vendor (optional);
    dossier {code, submitted_at, due_date, extended_due_date?, outcome, closed_at?};
    steps (list of {at, action, actor, role?, reason}); documents (list of {title,
    version, name, size, uploaded_by, uploaded_at, sha256}); issued_letters (optional,
    list of {title, number?, date, verification_code, sha256}); handover {username, at,
    by, receiver}, confirmation {at, by} and override {at, by, reason}: the Sở let the
    dossier complete although the initial password still logged in (optional).
    """
    return _render(
        "letters/archive.html",
        _values(context),
        required="issuer place date verification_code facility national_system dossier steps "
        "documents",
        optional="number signature recipients vendor issued_letters handover confirmation override",
    )


def account_notice_letter(context) -> bytes:
    """Thông báo khóa / mở khóa tài khoản liên thông, when the issuer records it.

    Keys: the shared ones; agency_name; facility {name, address}; facility_code; username;
    national_system; locked (True for a lock, False for an unlock); changed_on (date);
    quiet_since (date) and days_without_data (optional, for a lock).
    """
    return _render(
        "letters/account_notice.html",
        _values(context),
        required=f"{ISSUED} agency_name facility facility_code username national_system changed_on",
        optional=f"{ISSUED_OPTIONAL} locked quiet_since days_without_data",
    )


def _values(context) -> Mapping:
    return context if isinstance(context, Mapping) else vars(context)


def _render(template_name, values, *, required, optional="", extra=None) -> bytes:
    missing = [key for key in required.split() if values.get(key) in (None, "")]
    if missing:
        raise LetterContextError(f"{template_name} needs {', '.join(missing)}")
    wanted = required.split() + optional.split()
    picked = {key: values[key] for key in wanted if key in values}
    if picked.get("verification_code"):
        url = verification_url(picked["verification_code"])
        picked.update(verification_url=url, qr_data_uri=qr_data_uri(url))
    picked.update(extra or {})
    return render_pdf(template_name, picked)

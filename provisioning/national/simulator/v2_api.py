"""The v2 dialect (spec v1.1): Base64 login, expiring tokens, asynchronous transactions
whose status moves accepted → processing → final over successive polls, and the /master
catalogue.

The outcome is decided when the transaction arrives and only revealed by polling, so a
client that does not poll never learns of a rejection, exactly as on the real system.
There is no refresh endpoint: clients log in again (see endpoints.V2_REFRESH_TOKEN).
"""

import base64
import binascii
import json
import re
from datetime import datetime, timedelta, timezone

from .. import endpoints as ep
from . import catalogue
from .faults import EXPIRED_TOKEN, LOCKED, REJECT
from .request import authenticated
from .store import now_iso

MSG_BAD_LOGIN = "Sai tên đăng nhập hoặc mật khẩu"
MSG_LOCKED = "Tài khoản đã bị khóa"
MSG_REJECTED = "Dữ liệu bị từ chối"
# A transaction_date without an offset is read as Vietnamese time [guess].
VN_TZ = timezone(timedelta(hours=7))
# Which poll shows which status; later polls show the outcome.
POLL_STATUSES = {1: ep.ACCEPTED, 2: ep.PROCESSING}


def error(status, code, message, **extra):
    return status, {ep.V2_ERROR: code, "message": message, **extra}


def locked():
    return error(403, ep.V2_ERROR_LOCKED, MSG_LOCKED)


def _tokens(request, username):
    config, store = request.config, request.store
    return 200, {
        ep.V2_ACCESS_TOKEN: store.issue_token(ep.V2, username, "access", config.token_lifetime),
        ep.V2_TOKEN_TYPE: "Bearer",
        ep.V2_EXPIRES_IN: int(config.token_lifetime),  # whole seconds, as OAuth 2 has it
        ep.V2_REFRESH_TOKEN: store.issue_token(ep.V2, username, "refresh", config.refresh_lifetime),
    }


def login(request):
    form = request.form()
    username = form.get(ep.V2_USERNAME, "")
    try:
        password = base64.b64decode(form.get(ep.V2_PASSWORD, ""), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        password = None  # spec v1.1 wants Base64; a plain password is simply wrong
    account = request.store.account(ep.V2, username)
    if account is None or password is None or account.password != password:
        return error(401, "invalid_credentials", MSG_BAD_LOGIN)
    if account.locked or request.fault == LOCKED:
        return locked()
    return _tokens(request, username)


def authenticate(request):
    found = request.store.token(ep.V2, request.bearer(), "access")
    if found is None:
        return None, error(401, "invalid_token", "Token không hợp lệ")
    username, expired = found
    if expired or request.fault == EXPIRED_TOKEN:
        return None, error(401, ep.V2_ERROR_TOKEN_EXPIRED, "Token đã hết hạn")
    account = request.store.account(ep.V2, username)
    if account is None or account.locked or request.fault == LOCKED:
        return None, locked()
    return account, None


def _facility(account, body):
    for name in ep.V2_FACILITY_FIELDS:
        if body.get(name):
            return str(body[name])
    # An account for one facility need not name it.
    return account.facility_codes[0] if len(account.facility_codes) == 1 else ""


def _problems(kind, body):
    problems = []
    try:
        datetime.fromisoformat(str(body.get(ep.V2_DATE) or ""))
    except ValueError:
        problems.append(f"{ep.V2_DATE} phải là ngày giờ ISO 8601")
    allowed = ep.V2_REASONS[kind]
    if allowed and body.get(ep.V2_REASON) not in allowed:
        problems.append(f"{ep.V2_REASON} phải là một trong {', '.join(allowed)}")
    items = body.get(ep.V2_ITEMS)
    if not isinstance(items, list) or not items:
        problems.append(f"Thiếu {ep.V2_ITEMS}")
    else:
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict) or not item.get("drug_id"):
                problems.append(f"Dòng {number}: thiếu drug_id")
            elif not isinstance(item.get("quantity"), int | float) or item["quantity"] <= 0:
                problems.append(f"Dòng {number}: quantity phải lớn hơn 0")
    return problems


def _outcome(request, db, kind, facility, body):
    """Decide now what polling will reveal later: (outcome, messages)."""
    if request.fault == REJECT:
        return ep.REJECTED, [MSG_REJECTED]
    unknown = [
        str(item["drug_id"])
        for item in body[ep.V2_ITEMS]
        if _as_int(item["drug_id"]) not in catalogue.DRUGS_BY_ID
    ]
    if unknown:
        return ep.REJECTED, [f"Không tìm thấy thuốc drug_id={', '.join(unknown)}"]
    if kind == ep.STOCK_OUT and not _opened_by(request.store, db, facility, body):
        return ep.REJECTED, [ep.OPENING_BALANCE_MISSING]
    return ep.COMPLETED, []


def _moment(text):
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _opened_by(store, db, facility, body):
    """Whether an opening balance of the facility came at or before this transaction's
    date: a stock-out dated before every opening balance has no stock to come from."""
    when = _moment(str(body[ep.V2_DATE]))
    return any(_moment(day) <= when for day in store.opening_balance_dates(db, facility) if day)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@authenticated(authenticate)
def submit(request, account, kind):
    body = request.json()
    facility = _facility(account, body)
    reference = str(body.get(ep.V2_REFERENCE) or "")
    document_date = str(body.get(ep.V2_DATE) or "")[:10]
    store = request.store
    with store.atomic() as db:

        def record(ok, message="", national_id=""):
            store.record_push(
                db,
                dialect=ep.V2,
                facility_code=facility,
                kind=kind,
                action="submit",
                ok=ok,
                message=message,
                username=account.username,
                record_id=reference,
                national_id=national_id,
                document_date=document_date,
            )

        if not facility:
            record(False, "Thiếu mã cơ sở")
            return error(422, "validation_error", "Thiếu practice_license_code")
        if facility not in account.facility_codes:
            message = f"Mã cơ sở {facility} không thuộc tài khoản"
            record(False, message)
            return error(403, "forbidden_facility", message)
        problems = _problems(kind, body)
        if problems:
            record(False, "; ".join(problems))
            return error(422, "validation_error", "; ".join(problems), errors=problems)
        if reference:
            earlier = store.transaction_by_reference(db, kind, facility, reference)
            if earlier is not None:
                # The same transaction sent again (a retry after a lost answer) gets the
                # same id; a different one under a used reference is a conflict.
                if json.loads(earlier["payload"]) == body:
                    return 202, _taken(request, earlier["transaction_id"])
                record(False, "reference_number đã được dùng")
                return error(409, "duplicate_reference", "reference_number đã được dùng")
        outcome, messages = _outcome(request, db, kind, facility, body)
        transaction_id = store.add_transaction(
            db,
            kind=kind,
            facility_code=facility,
            username=account.username,
            reason=str(body.get(ep.V2_REASON) or ""),
            reference=reference,
            payload=body,
            outcome=outcome,
            messages=messages,
            submitted_at=now_iso(),
        )
        record(outcome == ep.COMPLETED, "; ".join(messages), transaction_id)
    return 202, _taken(request, transaction_id)


def _names(request):
    """(id field, status field): the standard names, or those one client reads."""
    index = 1 if request.alternate_names else 0
    return ep.V2_TRANSACTION_ID_FIELDS[index], ep.V2_STATUS_FIELDS[index]


def _taken(request, transaction_id):
    return {_names(request)[0]: transaction_id}


@authenticated(authenticate)
def status(request, account, kind, transaction_id):
    row = request.store.poll_transaction(transaction_id, kind, account.username)
    if row is None:
        return error(404, "not_found", "Không tìm thấy giao dịch")
    current = POLL_STATUSES.get(row["polls"], row["outcome"])
    final = current == row["outcome"]
    id_field, status_field = _names(request)
    return 200, {
        id_field: transaction_id,
        status_field: current.upper() if request.status_case == "upper" else current,
        ep.V2_MESSAGES: json.loads(row["messages"]) if final else [],
        ep.V2_SUBMITTED_AT: row["submitted_at"],
    }


@authenticated(authenticate)
def drugs(request, account):
    page = max(_as_int(request.arg("page", "1")) or 1, 1)
    page_size = min(max(_as_int(request.arg("page_size", "20")) or 20, 1), 100)
    found = catalogue.search(request.arg("search"))
    chunk = found[(page - 1) * page_size : page * page_size]
    return 200, {
        "page": page,
        "page_size": page_size,
        "total": len(found),
        "data": [drug.as_json() for drug in chunk],
    }


@authenticated(authenticate)
def drug(request, account, drug_id):
    found = catalogue.DRUGS_BY_ID.get(_as_int(drug_id))
    if found is None:
        return error(404, "not_found", "Không tìm thấy thuốc")
    return 200, found.as_json()


@authenticated(authenticate)
def units(request, account):
    return 200, {"data": [{"id": unit.id, "name": unit.name} for unit in catalogue.UNITS]}


def _routes():
    yield "POST", re.escape(ep.V2_LOGIN_PATH), login
    yield "GET", re.escape(ep.V2_DRUGS_PATH), drugs
    yield "GET", re.escape(ep.V2_DRUGS_PATH) + r"/(?P<drug_id>[^/]+)", drug
    yield "GET", re.escape(ep.V2_UNITS_PATH), units
    for kind in ep.V2_KINDS:

        def submit_view(request, kind=kind):
            return submit(request, kind=kind)

        def status_view(request, transaction_id, kind=kind):
            return status(request, kind=kind, transaction_id=transaction_id)

        yield "POST", re.escape(ep.v2_transaction_path(kind)), submit_view
        yield (
            "GET",
            re.escape(ep.v2_transaction_path(kind)) + r"/(?P<transaction_id>[^/]+)/status",
            status_view,
        )


ROUTES = list(_routes())

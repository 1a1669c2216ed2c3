"""The legacy dialect (777/QĐ-QLD): login and the lien_thong data endpoints.

Refusals come the two ways real clients meet: HTTP 200 with a body code other than "200"
(the default), or an HTTP 4xx, chosen per server or per request. Token problems are
always an HTTP 401, as the clients we read expect.
"""

import json
import re
import secrets
from datetime import datetime

from .. import endpoints as ep
from .faults import EXPIRED_TOKEN, LOCKED, REJECT
from .request import authenticated

OK_MESSAGE = "Thành công"
MSG_BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng"
MSG_LOCKED = "Tài khoản đã bị khóa"
MSG_BAD_TOKEN = "Token không hợp lệ"
MSG_EXPIRED = "Token đã hết hạn"
MSG_REJECTED = "Dữ liệu bị từ chối"
NATIONAL_ID_PREFIX = {"hoa_don": "HD", "phieu_nhap": "PN", "phieu_xuat": "PX", "don_thuoc": "DT"}


def ok(data, message=OK_MESSAGE):
    return 200, {ep.LEGACY_CODE: ep.LEGACY_OK, "mess": message, "message": message, "data": data}


def refuse(request, code, message):
    status = int(code) if request.error_style == "status" else 200
    return status, {ep.LEGACY_CODE: code, "mess": message, "message": message, "data": None}


def token_refused(message):
    return 401, {ep.LEGACY_CODE: "401", "mess": message, "message": message, "data": None}


def login(request):
    body = request.json()
    username = str(body.get(ep.LEGACY_USERNAME) or "")
    password = str(body.get(ep.LEGACY_PASSWORD) or "")
    if not username or not password:
        return refuse(request, ep.LEGACY_CODE_INVALID, "Thiếu tên đăng nhập hoặc mật khẩu")
    if len(username) > ep.LEGACY_USERNAME_MAX or len(password) > ep.LEGACY_PASSWORD_MAX:
        return refuse(request, ep.LEGACY_CODE_INVALID, "Tên đăng nhập hoặc mật khẩu quá dài")
    account = request.store.account(ep.LEGACY, username)
    if account is None or account.password != password:
        return refuse(request, ep.LEGACY_CODE_BAD_LOGIN, MSG_BAD_LOGIN)
    if account.locked or request.fault == LOCKED:
        return refuse(request, ep.LEGACY_CODE_LOCKED, MSG_LOCKED)
    token = request.store.issue_token(
        ep.LEGACY, username, "access", request.config.legacy_token_lifetime
    )
    return ok({ep.LEGACY_TOKEN: token, "token_type": "bearer"}, "Đăng nhập thành công")


def authenticate(request):
    """The account behind the bearer token, or the refusal to send back."""
    found = request.store.token(ep.LEGACY, request.bearer(), "access")
    if found is None:
        return None, token_refused(MSG_BAD_TOKEN)
    username, expired = found
    if expired or request.fault == EXPIRED_TOKEN:
        return None, token_refused(MSG_EXPIRED)
    account = request.store.account(ep.LEGACY, username)
    if account is None or account.locked or request.fault == LOCKED:
        return None, refuse(request, ep.LEGACY_CODE_LOCKED, MSG_LOCKED)
    return account, None


def _problem(spec, body):
    """What makes the record invalid, or ''."""
    for name in (spec.id_field, ep.LEGACY_FACILITY, spec.date_field):
        if not str(body.get(name) or "").strip():
            return f"Thiếu trường {name}"
    if len(str(body[spec.id_field])) > 50 or len(str(body[ep.LEGACY_FACILITY])) > 50:
        return "Mã quá 50 ký tự"
    try:
        datetime.strptime(str(body[spec.date_field]), ep.LEGACY_DATE_FORMAT)  # noqa: DTZ007
    except ValueError:
        return f"{spec.date_field} phải có dạng yyyyMMdd"
    lines = body.get(spec.lines_field)
    if not isinstance(lines, list) or not lines:
        return f"Thiếu danh sách {spec.lines_field}"
    return ""


@authenticated(authenticate)
def write(request, account, kind):
    """POST creates, PUT replaces. A repeated POST of the same record answers as the first
    did, so a client retrying after a lost answer does not create a duplicate."""
    spec = ep.LEGACY_KINDS[kind]
    body = request.json()
    facility = str(body.get(ep.LEGACY_FACILITY) or "")
    record_id = str(body.get(spec.id_field) or "")
    action = "create" if request.method == "POST" else "replace"
    store = request.store
    with store.atomic() as db:

        def refused(code, message):
            store.record_push(
                db,
                dialect=ep.LEGACY,
                facility_code=facility,
                kind=kind,
                action=action,
                ok=False,
                message=message,
                username=account.username,
                record_id=record_id,
                document_date=str(body.get(spec.date_field) or ""),
            )
            return refuse(request, code, message)

        problem = _problem(spec, body)
        if problem:
            return refused(ep.LEGACY_CODE_INVALID, problem)
        if facility not in account.facility_codes:
            return refused(
                ep.LEGACY_CODE_FOREIGN_FACILITY, f"Mã cơ sở {facility} không thuộc tài khoản"
            )
        if request.fault == REJECT:
            return refused(ep.LEGACY_CODE_INVALID, MSG_REJECTED)
        existing = store.record(db, kind, facility, record_id)
        live = existing is not None and not existing["deleted"]
        if action == "create" and live and json.loads(existing["payload"]) != body:
            return refused(ep.LEGACY_CODE_DUPLICATE, f"{spec.id_field} {record_id} đã tồn tại")
        if action == "replace" and not live:
            return refused(ep.LEGACY_CODE_NOT_FOUND, f"Không tìm thấy {record_id}")
        national_id = (
            existing["national_id"]
            if existing is not None
            else NATIONAL_ID_PREFIX[kind] + secrets.token_hex(6).upper()
        )
        store.save_record(db, kind, facility, record_id, national_id, body)
        store.record_push(
            db,
            dialect=ep.LEGACY,
            facility_code=facility,
            kind=kind,
            action=action,
            ok=True,
            username=account.username,
            record_id=record_id,
            national_id=national_id,
            document_date=str(body[spec.date_field]),
        )
    return ok({spec.national_id_field: national_id, spec.id_field: record_id})


@authenticated(authenticate)
def by_id(request, account, kind, facility, record_id):
    """GET reads a record back; DELETE removes it."""
    spec = ep.LEGACY_KINDS[kind]
    if facility not in account.facility_codes:
        return refuse(
            request, ep.LEGACY_CODE_FOREIGN_FACILITY, f"Mã cơ sở {facility} không thuộc tài khoản"
        )
    store = request.store
    with store.atomic() as db:
        existing = store.record(db, kind, facility, record_id)
        if existing is None or existing["deleted"]:
            return refuse(request, ep.LEGACY_CODE_NOT_FOUND, f"Không tìm thấy {record_id}")
        if request.method == "GET":
            return ok(
                {**json.loads(existing["payload"]), spec.national_id_field: existing["national_id"]}
            )
        store.delete_record(db, kind, facility, record_id)
        store.record_push(
            db,
            dialect=ep.LEGACY,
            facility_code=facility,
            kind=kind,
            action="delete",
            ok=True,
            username=account.username,
            record_id=record_id,
            national_id=existing["national_id"],
        )
    return ok({spec.national_id_field: existing["national_id"]})


def _routes():
    yield "POST", re.escape(ep.LEGACY_LOGIN_PATH), login
    for kind, spec in ep.LEGACY_KINDS.items():
        path = re.escape(spec.path)
        one = path + r"/(?P<facility>[^/]+)/(?P<record_id>[^/]+)"

        def write_view(request, kind=kind):
            return write(request, kind=kind)

        def one_view(request, facility, record_id, kind=kind):
            return by_id(request, kind=kind, facility=facility, record_id=record_id)

        yield "POST", path, write_view
        yield "PUT", path, write_view
        yield "GET", one, one_view
        yield "DELETE", one, one_view


ROUTES = list(_routes())

"""The legacy dialect (777/QĐ-QLD): login, the lien_thong data endpoints and the
facility's drug list.

Refusals come the two ways real clients meet: HTTP 200 with a body code other than "200"
(the default), or an HTTP 4xx, chosen per server or per request. Token problems are
always an HTTP 401, as the clients we read expect. A record's national id is answered at
the top level, next to code and mess, where every client found reads it; the
X-Simulate-Id-Place header ("data") moves it under data, to try a client's tolerance.
"""

import json
import re
import secrets

from .. import endpoints as ep
from .faults import EXPIRED_TOKEN, LOCKED, REJECT
from .request import authenticated

OK_MESSAGE = "Thành công"
MSG_BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng"
MSG_LOCKED = "Tài khoản đã bị khóa"
MSG_BAD_TOKEN = "Token không hợp lệ"
MSG_EXPIRED = "Token đã hết hạn"
MSG_REJECTED = "Dữ liệu bị từ chối"
DATE_SHAPES = {ep.LEGACY_DATE_FORMAT: "yyyyMMdd", ep.PRESCRIPTION_DATE_FORMAT: "yyyyMMddHHmm"}
DRUG_FIELDS_REQUIRED = {
    ep.DRUG_ADD: ep.FACILITY_DRUG_REQUIRED,
    ep.DRUG_UPDATE: ep.FACILITY_DRUG_REQUIRED,
    ep.DRUG_READ: (ep.LEGACY_FACILITY,),
    ep.DRUG_DELETE: (ep.LEGACY_FACILITY, ep.FACILITY_DRUG_ID),
}
NATIONAL_ID_PREFIX = {"hoa_don": "HD", "phieu_nhap": "PN", "phieu_xuat": "PX", "don_thuoc": "DT"}


def ok(data, message=OK_MESSAGE):
    return 200, {ep.LEGACY_CODE: ep.LEGACY_OK, "mess": message, "message": message, "data": data}


def written(request, fields):
    """A write's success: the national id (and the record's own id) at the top level."""
    if request.id_place == "data":
        return ok(fields)
    return 200, {ep.LEGACY_CODE: ep.LEGACY_OK, "mess": OK_MESSAGE, "message": OK_MESSAGE, **fields}


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
    if not spec.facility_of(body):
        return f"Thiếu trường {'.'.join(spec.facility_field)}"
    for name in (spec.id_field, spec.date_field):
        if not str(body.get(name) or "").strip():
            return f"Thiếu trường {name}"
    if len(str(body[spec.id_field])) > 50 or len(spec.facility_of(body)) > 50:
        return "Mã quá 50 ký tự"
    if spec.day_of(body) is None:
        shapes = " hoặc ".join(DATE_SHAPES[fmt] for fmt in spec.date_formats)
        return f"{spec.date_field} phải có dạng {shapes}"
    lines = body.get(spec.lines_field)
    if not isinstance(lines, list) or not lines:
        return f"Thiếu danh sách {spec.lines_field}"
    return ""


def _document_date(spec, body):
    """The record's day as yyyyMMdd for the push log, whatever its own format."""
    day = spec.day_of(body)
    return day.strftime(ep.LEGACY_DATE_FORMAT) if day else str(body.get(spec.date_field) or "")


@authenticated(authenticate)
def write(request, account, kind):
    """POST creates, PUT replaces. A repeated POST of the same record answers as the first
    did, so a client retrying after a lost answer does not create a duplicate."""
    spec = ep.LEGACY_KINDS[kind]
    body = request.json()
    facility = spec.facility_of(body)
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
                document_date=_document_date(spec, body),
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
            document_date=_document_date(spec, body),
        )
    return written(request, {spec.national_id_field: national_id, spec.id_field: record_id})


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
    return written(request, {spec.national_id_field: existing["national_id"]})


@authenticated(authenticate)
def facility_drugs(request, account, action):
    """them_thuoc adds a drug to the facility's list, cap_nhat_thuoc replaces one,
    xem_thuoc lists them (or the one named), xoa_thuoc removes one."""
    body = request.json()
    facility = str(body.get(ep.LEGACY_FACILITY) or "").strip()
    drug_code = str(body.get(ep.FACILITY_DRUG_ID) or "").strip()
    missing = [name for name in DRUG_FIELDS_REQUIRED[action] if not str(body.get(name) or "")]
    if missing:
        return refuse(request, ep.LEGACY_CODE_INVALID, f"Thiếu trường {', '.join(missing)}")
    if facility not in account.facility_codes:
        return refuse(
            request, ep.LEGACY_CODE_FOREIGN_FACILITY, f"Mã cơ sở {facility} không thuộc tài khoản"
        )
    store = request.store
    if action == ep.DRUG_READ:
        return ok(store.facility_drugs(facility, drug_code))
    with store.atomic() as db:
        live = store.facility_drug(db, facility, drug_code) is not None
        if action == ep.DRUG_ADD and live:
            return refuse(request, ep.LEGACY_CODE_DUPLICATE, f"Thuốc {drug_code} đã có")
        if action != ep.DRUG_ADD and not live:
            return refuse(request, ep.LEGACY_CODE_NOT_FOUND, f"Không tìm thấy thuốc {drug_code}")
        if action == ep.DRUG_DELETE:
            store.delete_facility_drug(db, facility, drug_code)
        else:
            store.save_facility_drug(db, facility, drug_code, body)
        store.record_push(
            db,
            dialect=ep.LEGACY,
            facility_code=facility,
            kind=ep.FACILITY_DRUG_KIND,
            action=action,
            ok=True,
            username=account.username,
            record_id=drug_code,
        )
    return ok({ep.FACILITY_DRUG_ID: drug_code})


def _routes():
    yield "POST", re.escape(ep.LEGACY_LOGIN_PATH), login
    for action in ep.FACILITY_DRUG_ACTIONS:

        def drugs_view(request, action=action):
            return facility_drugs(request, action=action)

        yield "POST", re.escape(ep.legacy_facility_drug_path(action)), drugs_view
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

"""Official letters of a dossier: built from the dossier, rendered once, stored with their hash.

`letter_issue` is idempotent: a dossier has at most one letter of each kind, so a task that
runs twice (or two workers at once) leaves exactly one.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import letters as engine
from ..models import (
    AuditEvent,
    Dossier,
    DossierStatus,
    Letter,
    NationalAccount,
    RejectionReason,
)
from .audit import record_event
from .numbering import next_number

# Which letter each audited move issues (after commit, before its e-mails go out).
LETTERS_BY_ACTION = {
    "dossier.submitted": Letter.Kind.RECEIPT,
    "dossier.approved": Letter.Kind.DECISION,
    "dossier.rejected": Letter.Kind.DECISION,
    "dossier.issued": Letter.Kind.HANDOVER,
}
DEFAULT_NATIONAL_SYSTEM = "Hệ thống cơ sở dữ liệu dược quốc gia"


def letter_issue(*, dossier_id, kind):
    """The dossier's letter of `kind`, rendered and stored on first call, returned after."""
    kind = Letter.Kind(kind)
    existing = Letter.objects.filter(dossier_id=dossier_id, kind=kind).first()
    if existing:
        return existing
    with transaction.atomic():
        # Race: two deliveries of the same task serialise on the dossier's row; the second
        # finds the letter the first stored and returns it.
        dossier = (
            Dossier.objects.select_for_update()
            .select_related("facility", "facility__owner", "facility__commune", "province")
            .get(pk=dossier_id)
        )
        existing = Letter.objects.filter(dossier=dossier, kind=kind).first()
        if existing:
            return existing
        code = engine.new_verification_code()
        while Letter.objects.filter(verification_code=code).exists():
            code = engine.new_verification_code()
        today = timezone.localdate()
        number = ""
        if kind == Letter.Kind.DECISION:
            province = dossier.province
            sequence = next_number(f"letter:{province.pk}:{today.year}:TB")
            number = f"{sequence}/TB-{province.office_symbol}"
        build, render = _BUILDERS[kind]
        context = build(dossier, today=today, code=code, number=number)
        pdf = render(context)
        letter = Letter(
            dossier=dossier,
            kind=kind,
            number=number,
            sha256=hashlib.sha256(pdf).hexdigest(),
            verification_code=code,
        )
        letter.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
        letter.save()
        record_event(
            action="letter.issued",
            dossier=dossier,
            note=f"{letter.get_kind_display()} {number}".strip(),
            data={"kind": kind.value, "number": number, "sha256": letter.sha256},
            visible_to_facility=True,
        )
    return letter


def letter_for_action(*, dossier_id, action):
    """Issue the letter an audited action calls for, if any; None otherwise."""
    kind = LETTERS_BY_ACTION.get(action)
    if kind is None or dossier_id is None:
        return None
    return letter_issue(dossier_id=dossier_id, kind=kind)


def _issuer(province):
    return [f"UBND {province.name.upper()}", "SỞ Y TẾ"]


def _agency(province):
    return province.office_name or f"Sở Y tế {province.name}"


def _facility(dossier, code=""):
    facility = dossier.facility
    return {
        "name": facility.name,
        "address": facility.full_address,
        "code": code,
        "business_certificate": {"number": facility.certificate_number},
    }


def _person(user):
    return (user.full_name or user.email) if user else ""


def _last_actor(dossier, actions):
    event = (
        AuditEvent.objects.filter(dossier=dossier, action__in=actions)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event else None, event.note if event else ""


def _shared(dossier, *, today, code, number):
    province = dossier.province
    return {
        "issuer": _issuer(province),
        "number": number,
        "place": province.short_name,
        "date": today,
        "verification_code": code,
        "agency_name": _agency(province),
        "dossier_code": dossier.code,
    }


def _receipt_context(dossier, *, today, code, number):
    from .dossiers import current_documents

    owner = dossier.facility.owner
    return {
        **_shared(dossier, today=today, code=code, number=number),
        "signature": {
            "title": "BỘ PHẬN TIẾP NHẬN HỒ SƠ",
            "note": "(Tiếp nhận trực tuyến)",
            "name": "Cổng Liên thông Dược",
        },
        "recipients": [dossier.facility.name, "Lưu: Bộ phận một cửa"],
        "lookup_code": dossier.lookup_secret,
        "facility": _facility(dossier),
        "applicant": {
            "name": _person(owner),
            "phone": dossier.facility.phone,
            "email": owner.email,
        },
        "request": dossier.get_purpose_display(),
        "documents": [
            {"title": document.get_kind_display(), "form": "Bản điện tử"}
            for document in current_documents(dossier)
        ],
        "working_days": settings.DOSSIER_WORKING_DAYS,
        "received_at": dossier.submitted_at,
        "due_date": dossier.due_date,
        "lookup_url": settings.SITE_URL + reverse("public:lookup"),
        "result_channel": "trên Cổng Liên thông Dược và qua thư điện tử của cơ sở",
    }


def _decision_context(dossier, *, today, code, number):
    approved = dossier.status != DossierStatus.REJECTED
    approver, decision_note = _last_actor(dossier, ["dossier.approved", "dossier.rejected"])
    context = {
        **_shared(dossier, today=today, code=code, number=number),
        "signature": {"title": "LÃNH ĐẠO SỞ Y TẾ", "name": _person(approver)},
        "recipients": [
            "Như trên",
            f"Chi nhánh Viettel {dossier.province.short_name}",
            "Lưu: VT, NVD",
        ],
        "facility": _facility(dossier),
        "submitted_on": timezone.localdate(dossier.submitted_at),
        "national_system": DEFAULT_NATIONAL_SYSTEM,
        "approved": approved,
        "handover_by": f"Chi nhánh Viettel {dossier.province.short_name}",
    }
    if not approved:
        reasons = []
        if dossier.proposal_reason in RejectionReason.values:
            reason = RejectionReason(dossier.proposal_reason)
            if reason != RejectionReason.OTHER:
                reasons.append(f"{reason.label}.")
        for note in (dossier.proposal_note, decision_note):
            if note.strip() and note.strip() not in reasons:
                reasons.append(note.strip())
        context["reasons"] = reasons or ["Hồ sơ chưa đáp ứng yêu cầu cấp tài khoản liên thông."]
    return context


def _handover_context(dossier, *, today, code, number):
    # Never the password: only the account's public fields are read here.
    account = NationalAccount.objects.select_related("created_by").get(dossier=dossier)
    giver, _note = _last_actor(dossier, ["dossier.issued"])
    branch = dossier.province.short_name
    facility = dossier.facility
    return {
        "issuer": [
            "TẬP ĐOÀN CÔNG NGHIỆP - VIỄN THÔNG QUÂN ĐỘI",
            f"VIETTEL {branch.upper()}",
        ],
        "number": number,
        "place": branch,
        "date": today,
        "verification_code": code,
        "handed_at": account.handed_over_at or timezone.now(),
        "location": "Cổng Liên thông Dược (bàn giao trực tuyến)",
        "giver": {
            "organisation": f"Viettel {branch} - Chi nhánh Tập đoàn Công nghiệp - Viễn thông "
            "Quân đội",
            "name": _person(giver or account.created_by),
            "title": "Cán bộ Chi nhánh Viettel",
        },
        "receiver": {"name": _person(facility.owner), "title": "Người đại diện cơ sở"},
        "facility": _facility(dossier, code=account.facility_code),
        "username": account.username,
        "national_system": account.get_system_display(),
        "vendor": facility.vendor.name,
    }


_BUILDERS = {
    Letter.Kind.RECEIPT: (_receipt_context, engine.receipt_letter),
    Letter.Kind.DECISION: (_decision_context, engine.decision_letter),
    Letter.Kind.HANDOVER: (_handover_context, engine.handover_letter),
}

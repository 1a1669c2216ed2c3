"""Official letters of a dossier: built from the dossier, rendered once, stored with their hash.

`letter_issue` is idempotent: a dossier has at most one letter of each kind but the apology,
of which it has at most one per `Apology`; so a task that runs twice (or two workers at once)
leaves exactly one.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import letters as engine
from ..models import (
    Apology,
    AuditEvent,
    DossierStatus,
    Letter,
    Membership,
    NationalAccount,
    RejectionReason,
)
from ..selectors import document_versions
from ..storage import delete_on_error
from .audit import record_event
from .locking import lock_dossier, retry_on_deadlock
from .numbering import next_number

# Kinds numbered in a per-province, per-year register, with their symbol.
REGISTERS = {
    Letter.Kind.DECISION: "TB",
    Letter.Kind.APOLOGY: "PXL",
    Letter.Kind.LOCK_NOTICE: "TB",
    Letter.Kind.UNLOCK_NOTICE: "TB",
}
# The notice each monitoring move recorded by the account's issuer sends the facility.
NOTICE_KINDS = {"locked": Letter.Kind.LOCK_NOTICE, "unlocked": Letter.Kind.UNLOCK_NOTICE}
DEFAULT_NATIONAL_SYSTEM = "Hệ thống cơ sở dữ liệu dược quốc gia"


@retry_on_deadlock
def letter_issue(*, dossier_id, kind):
    """The dossier's letter of `kind`, rendered and stored on first call, returned after."""
    kind = Letter.Kind(kind)
    existing = Letter.objects.filter(dossier_id=dossier_id, kind=kind).first()
    if existing:
        return existing
    with delete_on_error() as stored, transaction.atomic():
        # Race: two deliveries of the same task serialise on the dossier's row; the second
        # finds the letter the first stored and returns it.
        dossier = lock_dossier(dossier_id)
        existing = Letter.objects.filter(dossier=dossier, kind=kind).first()
        if existing:
            return existing
        return _store(dossier, kind, _BUILDERS[kind], stored)


@retry_on_deadlock
def apology_letter_issue(*, apology_id):
    """The letter of a sent apology, rendered and stored on first call, returned after."""
    dossier_id = Apology.objects.values_list("dossier_id", flat=True).get(pk=apology_id)
    with delete_on_error() as stored, transaction.atomic():
        # Race: dossier first, then the apology, as `apology_send` locks them; a second
        # delivery of the task waits here and then finds the letter set.
        dossier = lock_dossier(dossier_id)
        apology = Apology.objects.select_for_update().get(pk=apology_id)
        if apology.letter_id:
            return apology.letter
        letter = _store(
            dossier,
            Letter.Kind.APOLOGY,
            lambda dossier, **shared: _apology_context(dossier, apology, **shared),
            stored,
        )
        apology.letter = letter
        apology.save(update_fields=["letter"])
    return letter


@retry_on_deadlock
def account_notice_issue(*, change_id):
    """The notice of a lock or unlock (a monitoring `StatusChange`), rendered and stored on
    first call, returned after; None for an account with no dossier to file it under."""
    from ..monitoring.models import StatusChange

    dossier_id = StatusChange.objects.values_list("account__dossier_id", flat=True).get(
        pk=change_id
    )
    if dossier_id is None:
        return None
    with delete_on_error() as stored, transaction.atomic():
        # Race: dossier first, then the change; a second delivery of the task waits here
        # and then finds the letter set.
        dossier = lock_dossier(dossier_id)
        change = (
            StatusChange.objects.select_for_update(of=("self",))
            .select_related("account", "actor")
            .get(pk=change_id)
        )
        if change.letter_id:
            return change.letter
        letter = _store(
            dossier,
            NOTICE_KINDS[change.reason],
            lambda dossier, **shared: _account_notice_context(dossier, change, **shared),
            stored,
        )
        change.letter = letter
        change.save(update_fields=["letter"])
    return letter


def letters_for_event(event, kinds):
    """Issue the letters of `kinds` for the event's dossier (`outbox.EFFECTS` says which), in
    order; the list of them. An apology is the one the event sent."""
    if event.dossier_id is None:
        return []
    if Letter.Kind.ARCHIVE in kinds and not event.dossier.submitted_at:
        # A draft withdrawn before it was ever submitted has no history worth archiving.
        kinds = tuple(kind for kind in kinds if kind != Letter.Kind.ARCHIVE)
    return [
        apology_letter_issue(apology_id=event.data["apology"])
        if kind == Letter.Kind.APOLOGY
        else letter_issue(dossier_id=event.dossier_id, kind=kind)
        for kind in kinds
    ]


def _store(dossier, kind, build, stored):
    """Render the letter `build` describes, store it with its hash, and audit it; the file
    is registered with `stored` so that a rollback leaves no orphan PDF."""
    code = engine.new_verification_code()
    while Letter.objects.filter(verification_code=code).exists():
        code = engine.new_verification_code()
    today = timezone.localdate()
    number = ""
    if kind in REGISTERS:
        province = dossier.province
        symbol = REGISTERS[kind]
        sequence = next_number(f"letter:{province.pk}:{today.year}:{symbol}")
        number = f"{sequence}/{symbol}-{province.office_symbol}"
    pdf = _RENDERERS[kind](build(dossier, today=today, code=code, number=number))
    letter = Letter(
        dossier=dossier,
        kind=kind,
        number=number,
        sha256=hashlib.sha256(pdf).hexdigest(),
        verification_code=code,
    )
    letter.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    stored.add(letter.file)
    letter.save()
    record_event(
        action="letter.issued",
        dossier=dossier,
        note=f"{letter.get_kind_display()} {number}".strip(),
        data={"kind": kind.value, "number": number, "sha256": letter.sha256},
        visible_to_facility=kind not in Letter.STAFF_ONLY_KINDS,
    )
    return letter


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


# Where a person signs and the portal does not know their name, a line to write it by hand:
# never the e-mail address.
UNNAMED = "…………………………"


def _person(user):
    return (user.full_name or UNNAMED) if user else ""


def _signer(user, title):
    """A signature block: the signer's position in capitals (else `title`) and name."""
    position = user.position if user else ""
    return {"title": (position or title).upper(), "name": _person(user)}


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
            "position": owner.position,
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
        "signature": _signer(approver, "Lãnh đạo Sở Y tế"),
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
            "title": (giver or account.created_by).position or "Cán bộ Chi nhánh Viettel",
        },
        "receiver": {
            "name": _person(facility.owner),
            "title": facility.owner.position or "Người đại diện cơ sở",
        },
        "facility": _facility(dossier, code=account.facility_code),
        "username": account.username,
        "national_system": account.get_system_display(),
        "vendor": facility.vendor.name,
    }


def request_context(dossier, *, today, code="", number=""):
    """The facility's request letter; without `code` it is the draft the facility prints,
    signs and uploads (no verification code: the portal has not issued it)."""
    from .dossiers import current_documents

    facility = dossier.facility
    province = dossier.province
    attachments = [
        document.get_kind_display()
        for document in current_documents(dossier).order_by("kind", "uploaded_at")
    ]
    return {
        "place": province.short_name,
        "date": today,
        "verification_code": code,
        "addressee": _agency(province),
        "facility": {
            "name": facility.name,
            "kind": facility.get_kind_display(),
            "address": facility.full_address,
            "tax_code": facility.tax_code,
            "phone": facility.phone,
            "email": facility.email,
            "insurance_code": facility.insurance_code,
            "business_certificate": {
                "number": facility.certificate_number,
                "date": facility.certificate_date,
            },
            "gpp_certificate": (
                {"number": facility.gpp_certificate, "date": None}
                if facility.gpp_certificate
                else None
            ),
            "pharmacist": {
                "name": facility.pharmacist_name,
                "certificate_number": facility.practising_certificate,
            },
        },
        "vendor": {"name": facility.vendor.name, "software": facility.software_product},
        "connection_model": facility.connection_model,
        "national_system": DEFAULT_NATIONAL_SYSTEM,
        "attachments": attachments or ["(chưa đính kèm tài liệu)"],
        "representative": {"name": _person(facility.owner), "position": facility.owner.position},
    }


def _apology_context(dossier, apology, *, today, code, number):
    return {
        **_shared(dossier, today=today, code=code, number=number),
        "signature": {
            **_signer(apology.sent_by, "Cán bộ thẩm định hồ sơ"),
            "note": f"({_agency(dossier.province)})",
        },
        "recipients": [dossier.facility.name, "Lưu: Bộ phận một cửa"],
        "facility": {"name": dossier.facility.name},
        "received_on": timezone.localdate(dossier.submitted_at),
        "old_due_date": apology.old_due_date,
        "new_due_date": apology.new_due_date,
        "reason": _sentence(apology.reason),
    }


def _account_notice_context(dossier, change, *, today, code, number):
    account = change.account
    locked = change.reason == "locked"
    # Locking leaves the silence's start as it was; it is what the notice cites.
    quiet_since = account.monitoring.quiet_since if locked else None
    viettel = account.system == "legacy"
    return {
        **_shared(dossier, today=today, code=code, number=number),
        "signature": {
            **_signer(change.actor, "Cán bộ Chi nhánh Viettel" if viettel else "Chuyên viên"),
            "note": f"(Chi nhánh Viettel {dossier.province.short_name})" if viettel else "",
        },
        "recipients": [dossier.facility.name, "Lưu: VT, NVD"],
        "facility": {"name": dossier.facility.name, "address": dossier.facility.full_address},
        "facility_code": account.facility_code,
        "username": account.username,
        "national_system": account.get_system_display(),
        "locked": locked,
        "changed_on": timezone.localdate(change.at),
        "quiet_since": timezone.localdate(quiet_since) if quiet_since else None,
        "days_without_data": (change.at - quiet_since).days if quiet_since else None,
    }


def _sentence(text):
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _archive_context(dossier, *, today, code, number):
    """Everything that happened to the dossier, for inspectors: staff only."""
    from ..workflow import EVENT_LABELS, readable_note

    facility = dossier.facility
    events = list(
        AuditEvent.objects.filter(dossier=dossier)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    roles = _roles(dossier, events)
    steps = [
        {
            "at": event.created_at,
            "action": str(EVENT_LABELS.get(event.action, event.action)),
            "actor": _person(event.actor) or "Hệ thống",
            "role": str(roles.get(event.actor_id, "")),
            "reason": readable_note(event),
        }
        for event in events
    ]
    versions = sorted(document_versions(dossier), key=lambda doc: (doc.kind, doc.uploaded_at))
    seen = {}
    documents = []
    for document in versions:
        seen[document.kind] = seen.get(document.kind, 0) + 1
        documents.append(
            {
                "title": document.get_kind_display(),
                "version": seen[document.kind],
                "name": document.original_name,
                "size": document.size,
                "uploaded_by": _person(document.uploaded_by),
                "uploaded_at": document.uploaded_at,
                "sha256": document.sha256,
            }
        )
    letters = [
        {
            "title": letter.get_kind_display(),
            "number": letter.number,
            "date": timezone.localdate(letter.created_at),
            "verification_code": letter.verification_code,
            "sha256": letter.sha256,
        }
        for letter in dossier.letters.exclude(kind=Letter.Kind.ARCHIVE)
    ]
    first_apology = dossier.apologies.filter(sent_at__isnull=False).first()
    context = {
        "issuer": _issuer(dossier.province),
        "place": dossier.province.short_name,
        "date": today,
        "verification_code": code,
        "recipients": ["Lưu: VT, NVD"],
        "facility": {
            "name": facility.name,
            "kind": facility.get_kind_display(),
            "address": facility.full_address,
            "tax_code": facility.tax_code,
        },
        "national_system": DEFAULT_NATIONAL_SYSTEM,
        "vendor": f"{facility.vendor.name} ({facility.software_product})",
        "dossier": {
            "code": dossier.code,
            "submitted_at": dossier.submitted_at,
            "due_date": first_apology.old_due_date if first_apology else dossier.due_date,
            "extended_due_date": dossier.due_date if first_apology else None,
            "outcome": dossier.get_status_display(),
            "closed_at": dossier.closed_at or dossier.decided_at,
        },
        "steps": steps,
        "documents": documents,
        "issued_letters": letters,
    }
    account = NationalAccount.objects.filter(dossier=dossier).select_related("created_by").first()
    if account and account.handed_over_at:
        giver, _note = _last_actor(dossier, ["dossier.issued"])
        context["handover"] = {
            "username": account.username,
            "at": account.handed_over_at,
            "by": _person(giver or account.created_by),
            "receiver": _person(facility.owner),
        }
        if account.password_changed_at:
            context["confirmation"] = {
                "at": account.password_changed_at,
                "by": _person(facility.owner),
            }
        override = next(
            (e for e in reversed(events) if e.action == "account.change_check.overridden"), None
        )
        if override:
            context["override"] = {
                "at": override.created_at,
                "by": _person(override.actor),
                "reason": override.note,
            }
    return context


def _roles(dossier, events):
    """What each actor of `events` was, for the archive: the facility's representative or
    their staff roles in the dossier's province."""
    roles = {dossier.facility.owner_id: "Người đại diện cơ sở"}
    actors = {event.actor_id for event in events if event.actor_id} - set(roles)
    memberships = Membership.objects.filter(province=dossier.province, user_id__in=actors)
    for membership in memberships.order_by("role"):
        label = membership.get_role_display()
        roles[membership.user_id] = (
            f"{roles[membership.user_id]}, {label}" if membership.user_id in roles else label
        )
    return roles


_BUILDERS = {
    Letter.Kind.REQUEST: request_context,
    Letter.Kind.RECEIPT: _receipt_context,
    Letter.Kind.DECISION: _decision_context,
    Letter.Kind.HANDOVER: _handover_context,
    Letter.Kind.ARCHIVE: _archive_context,
}
_RENDERERS = {
    Letter.Kind.REQUEST: engine.request_letter,
    Letter.Kind.RECEIPT: engine.receipt_letter,
    Letter.Kind.DECISION: engine.decision_letter,
    Letter.Kind.HANDOVER: engine.handover_letter,
    Letter.Kind.APOLOGY: engine.apology_letter,
    Letter.Kind.ARCHIVE: engine.archive_letter,
    Letter.Kind.LOCK_NOTICE: engine.account_notice_letter,
    Letter.Kind.UNLOCK_NOTICE: engine.account_notice_letter,
}

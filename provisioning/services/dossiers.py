"""The dossier's life: drafting, attachments, and every move of the workflow."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..crypto import generate_lookup_secret
from ..errors import NotAllowed, WorkflowError
from ..models import (
    REQUIRED_DOCUMENT_KINDS,
    Comment,
    Document,
    DocumentKind,
    Dossier,
    InfoRequestItem,
    RejectionReason,
)
from ..permissions import can_act
from ..storage import delete_on_error
from ..uploads import check_dossier_total
from ..workdays import add_working_days, working_days_between
from ..workflow import (
    FACILITY_EDITS,
    INTERCONNECTION_STEPS,
    MOVES,
    can_confirm_interconnection,
    conversation_open,
)
from .audit import record_event
from .locking import lock_dossier, retry_on_deadlock
from .numbering import next_number


@retry_on_deadlock
def dossier_move(*, dossier, move, actor, ip=None, note="", data=None, prepare=None):
    """Apply one move of the workflow: the only place a dossier's status changes.

    Locks the row, checks the actor and the current status, lets `prepare` validate and
    change other fields (it returns their names; it locks later rows only in the order
    `locking` names), saves, and audits (the audit queues letters and e-mails after commit).
    Race: two people acting at once serialise on the row lock; the second sees the new status
    and gets a clear message instead of a second outcome.
    """
    spec = MOVES[move]
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if not can_act(actor, spec.actor, locked):
            raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        if locked.status not in spec.sources:
            raise WorkflowError(
                _(
                    "Hồ sơ đang ở trạng thái “%(status)s”, không thể “%(action)s”. "
                    "Có thể người khác vừa xử lý hồ sơ này; vui lòng tải lại trang."
                )
                % {"status": locked.get_status_display(), "action": spec.label}
            )
        from_status = locked.status
        changed = list(prepare(locked)) if prepare else []
        locked.status = spec.target
        locked.save(update_fields=["status", "updated_at", *changed])
        record_event(
            action=spec.action,
            actor=actor,
            dossier=locked,
            from_status=from_status,
            to_status=spec.target,
            note=note,
            data=data,
            ip=ip,
        )
    return locked


def dossier_create(*, facility, actor, note="", ip=None):
    """A new draft. One open dossier per facility and purpose; none once it holds an account."""
    if facility.owner_id != actor.pk:
        raise NotAllowed(_("Bạn không quản lý cơ sở này."))
    if facility.accounts.exists():
        raise WorkflowError(_("Cơ sở đã được cấp tài khoản liên thông, không thể đề nghị cấp lại."))
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                facility=facility, province_id=facility.province_id, note=note
            )
            record_event(
                action="dossier.created",
                actor=actor,
                dossier=dossier,
                to_status=dossier.status,
                ip=ip,
            )
    except IntegrityError as exc:
        raise WorkflowError(
            _("Cơ sở đã có một hồ sơ đang xử lý. Vui lòng tiếp tục hồ sơ đó.")
        ) from exc
    return dossier


def dossier_update_draft(*, dossier, actor, note):
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if locked.facility.owner_id != actor.pk:
            raise NotAllowed(_("Bạn không quản lý cơ sở này."))
        if locked.status not in FACILITY_EDITS:
            raise WorkflowError(_("Hồ sơ đã nộp, không thể sửa."))
        locked.note = note
        locked.save(update_fields=["note", "updated_at"])
    return locked


def current_documents(dossier):
    return dossier.documents.filter(superseded_by__isnull=True)


def missing_documents(dossier):
    present = set(current_documents(dossier).values_list("kind", flat=True))
    return [kind for kind in REQUIRED_DOCUMENT_KINDS if kind not in present]


def document_add(*, dossier, actor, kind, upload, checked, ip=None):
    """Attach a checked upload. Required kinds have one current version; the old one is
    kept and marked superseded, never deleted. The stored file goes if the row does not."""
    with delete_on_error() as stored, transaction.atomic():
        locked = lock_dossier(dossier)
        if locked.facility.owner_id != actor.pk:
            raise NotAllowed(_("Bạn không quản lý cơ sở này."))
        if locked.status not in FACILITY_EDITS:
            raise WorkflowError(_("Hồ sơ đã nộp, chỉ bổ sung tài liệu khi Sở Y tế yêu cầu."))
        current = current_documents(locked)
        duplicate = current.filter(sha256=checked.sha256).first()
        if duplicate:
            raise WorkflowError(
                _("Tệp này đã có trong hồ sơ (“%(name)s”).") % {"name": duplicate.original_name}
            )
        try:
            check_dossier_total(current.aggregate(total=Sum("size"))["total"] or 0, checked.size)
        except ValidationError as exc:
            raise WorkflowError(exc.messages[0]) from exc
        document = Document(
            dossier=locked,
            kind=kind,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        upload.seek(0)
        document.file.save(checked.name, upload, save=False)
        stored.add(document.file)
        document.save()
        if kind != DocumentKind.OTHER:
            current.filter(kind=kind).exclude(pk=document.pk).update(superseded_by=document)
        record_event(
            action="document.added",
            actor=actor,
            dossier=locked,
            note=checked.name,
            data={"kind": kind, "sha256": checked.sha256, "size": checked.size},
            ip=ip,
        )
    return document


def dossier_submit(*, dossier, actor, ip=None):
    def prepare(locked):
        missing = missing_documents(locked)
        if missing:
            names = ", ".join(str(DocumentKind(kind).label) for kind in missing)
            raise WorkflowError(_("Hồ sơ còn thiếu: %(names)s.") % {"names": names})
        today = timezone.localdate()
        number = next_number(f"dossier:{locked.province_id}:{today.year}")
        locked.code = f"LTD-{locked.province_id:02d}-{today.year}-{number:05d}"
        locked.lookup_secret = generate_lookup_secret()
        locked.submitted_at = timezone.now()
        locked.due_date = add_working_days(today, settings.DOSSIER_WORKING_DAYS)
        return ["code", "lookup_secret", "submitted_at", "due_date"]

    return dossier_move(dossier=dossier, move="submit", actor=actor, ip=ip, prepare=prepare)


def dossier_request_info(*, dossier, actor, items, ip=None):
    """Ask the facility for more; `items` is a list of (target, message). Stops the clock."""
    items = [(target, message.strip()) for target, message in items if message.strip()]
    if not items:
        raise WorkflowError(_("Hãy nêu ít nhất một nội dung cần bổ sung."))

    def prepare(locked):
        InfoRequestItem.objects.bulk_create(
            InfoRequestItem(dossier=locked, target=target, message=message, requested_by=actor)
            for target, message in items
        )
        locked.paused_since = timezone.localdate()
        return ["paused_since"]

    note = "\n".join(message for _target, message in items)
    return dossier_move(
        dossier=dossier, move="request_info", actor=actor, ip=ip, note=note, prepare=prepare
    )


def dossier_respond(*, dossier, actor, answers, ip=None):
    """The facility answers each open item: `answers` maps item id to (text, document|None).

    Documents are attached beforehand with `document_add`; the due date moves on by the
    working days the dossier waited.
    """

    def prepare(locked):
        open_items = list(locked.info_items.filter(answered_at__isnull=True))
        answered = {pk for pk, (text, document) in answers.items() if text.strip() or document}
        if any(item.pk not in answered for item in open_items):
            raise WorkflowError(_("Hãy trả lời tất cả các nội dung Sở Y tế yêu cầu bổ sung."))
        now = timezone.now()
        for item in open_items:
            text, item.response_document = answers[item.pk]
            item.response = text.strip()
            item.answered_at = now
        InfoRequestItem.objects.bulk_update(
            open_items, ["response", "response_document", "answered_at"]
        )
        if locked.paused_since and locked.due_date:
            waited = working_days_between(locked.paused_since, timezone.localdate())
            locked.due_date = add_working_days(locked.due_date, waited)
        locked.paused_since = None
        return ["due_date", "paused_since"]

    return dossier_move(dossier=dossier, move="respond", actor=actor, ip=ip, prepare=prepare)


def dossier_propose(*, dossier, actor, approve, reason="", note="", ip=None):
    def prepare(locked):
        if (
            approve
            and settings.REVIEW_WAITS_FOR_INTERCONNECTION
            and (locked.interconnection != Dossier.Interconnection.CONFIRMED)
        ):
            raise WorkflowError(
                _("Chưa thể đề xuất cấp: Chi nhánh Viettel chưa xác nhận liên thông.")
            )
        if not approve and reason not in RejectionReason.values:
            raise WorkflowError(_("Hãy chọn lý do từ chối."))
        if not approve and reason == RejectionReason.OTHER and not note.strip():
            raise WorkflowError(_("Hãy ghi rõ lý do từ chối."))
        locked.proposal_reason = "" if approve else reason
        locked.proposal_note = note
        return ["proposal_reason", "proposal_note"]

    move = "propose_approval" if approve else "propose_rejection"
    return dossier_move(
        dossier=dossier,
        move=move,
        actor=actor,
        ip=ip,
        note=note,
        prepare=prepare,
        data={"reason": reason} if reason else None,
    )


def dossier_decide(*, dossier, actor, decision, note="", ip=None):
    """The approver signs off (`approve`, `reject`) or returns (`return`) the proposal."""
    if decision not in ("approve", "reject", "return"):
        raise WorkflowError(_("Quyết định không hợp lệ."))
    if decision == "return" and not note.strip():
        raise WorkflowError(_("Hãy ghi lý do trả lại để chuyên viên xử lý tiếp."))

    def prepare(locked):
        if decision == "return":
            return []
        locked.decided_at = timezone.now()
        fields = ["decided_at"]
        if decision == "reject":
            locked.closed_at = locked.decided_at
            fields.append("closed_at")
        return fields

    return dossier_move(
        dossier=dossier, move=decision, actor=actor, ip=ip, note=note, prepare=prepare
    )


def dossier_withdraw(*, dossier, actor, note="", ip=None):
    def prepare(locked):
        locked.closed_at = timezone.now()
        locked.paused_since = None
        return ["closed_at", "paused_since"]

    return dossier_move(
        dossier=dossier, move="withdraw", actor=actor, ip=ip, note=note, prepare=prepare
    )


@retry_on_deadlock
def dossier_confirm_interconnection(*, dossier, actor, confirmed, note="", ip=None):
    """Viettel's word on the confirmation record: genuine and covering the facility's software.

    The one function that applies `INTERCONNECTION_STEPS`, from the submission until the
    handover (`can_confirm_interconnection`); the same word with the same note twice is no
    change and no second event.
    """
    step = INTERCONNECTION_STEPS["confirm" if confirmed else "refuse"]
    if not confirmed and not note.strip():
        raise WorkflowError(_("Hãy ghi lý do không xác nhận được liên thông."))
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if not any(can_act(actor, role, locked) for role in step.actors):
            raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        if not can_confirm_interconnection(locked):
            raise WorkflowError(
                _(
                    "Hồ sơ đang ở trạng thái “%(status)s”: Chi nhánh Viettel chỉ xác nhận liên "
                    "thông sau khi hồ sơ được nộp và trước khi bàn giao tài khoản."
                )
                % {"status": locked.get_status_display()}
            )
        if locked.interconnection not in step.sources:
            raise WorkflowError(_("Không thể ghi nhận kết quả xác nhận liên thông lúc này."))
        if locked.interconnection == step.target and locked.interconnection_note == note:
            return locked
        previous = locked.interconnection
        locked.interconnection = step.target
        locked.interconnection_note = note
        locked.save(update_fields=["interconnection", "interconnection_note", "updated_at"])
        record_event(
            action=step.action,
            actor=actor,
            dossier=locked,
            note=note,
            data={"from": previous, "to": step.target},
            ip=ip,
        )
    return locked


def comment_add(*, dossier, actor, body, internal, ip=None):
    """A message to the facility, or (`internal`) a note only staff read."""
    body = body.strip()
    if not body:
        raise WorkflowError(_("Nội dung trống."))
    if internal and dossier.facility.owner_id == actor.pk:
        raise NotAllowed(_("Cơ sở không ghi chú nội bộ."))
    if dossier.facility.owner_id == actor.pk and not conversation_open(dossier):
        raise WorkflowError(_("Hồ sơ đã kết thúc; hãy liên hệ đầu mối hỗ trợ của Sở Y tế."))
    with transaction.atomic():
        comment = Comment.objects.create(
            dossier=dossier, author=actor, body=body, internal=internal
        )
        record_event(
            action="comment.internal" if internal else "comment.message",
            actor=actor,
            dossier=dossier,
            note=body,
            ip=ip,
            visible_to_facility=not internal,
        )
    return comment

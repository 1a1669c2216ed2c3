"""Pause requests: a facility closing for a while asks, the Sở Y tế approves or refuses.

Approval is the `paused` move of `status.MOVES` (made by the approving officer, audited);
the pause then ends by itself after its last day (`services.monitoring_sweep`).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import NotAllowed, WorkflowError
from ..services.audit import record_event
from .models import PauseRequest
from .services import monitoring_move
from .status import MOVES

P = PauseRequest.Status
# The request's own transition table: decision → (from, to).
PAUSE_MOVES = {"approve": ((P.PENDING,), P.APPROVED), "reject": ((P.PENDING,), P.REJECTED)}


def pause_request(*, account, actor, until, reason, ip=None):
    """The facility's owner asks to pause `account` until `until` (inclusive)."""
    if account.facility.owner_id != actor.pk:
        raise NotAllowed(_("Chỉ người đại diện cơ sở được đề nghị tạm ngừng."))
    if until < timezone.localdate():
        raise WorkflowError(_("Hãy chọn ngày kết thúc tạm ngừng từ hôm nay trở đi."))
    try:
        with transaction.atomic():
            # Race: two requests at once; the partial unique constraint keeps one pending.
            request = PauseRequest.objects.create(
                account=account, requested_by=actor, until=until, reason=reason.strip()
            )
            record_event(
                action="monitoring.pause_requested",
                actor=actor,
                facility=account.facility,
                note=request.reason,
                data={"account": account.pk, "until": until.isoformat()},
                ip=ip,
            )
    except IntegrityError as exc:
        raise WorkflowError(
            _("Cơ sở đã có một đề nghị tạm ngừng đang chờ Sở Y tế duyệt cho tài khoản này.")
        ) from exc
    return request


def pause_decide(*, request_id, decision, actor, note="", ip=None):
    """Approve (the account is paused until the end date) or reject a pending request.

    Race: two officers at once serialise on the request's row lock; the second finds it
    decided and gets a clear message.
    """
    sources, target = PAUSE_MOVES[decision]
    with transaction.atomic():
        request = (
            PauseRequest.objects.select_for_update(of=("self",))
            .select_related("account__facility")
            .get(pk=request_id)
        )
        if request.status not in sources:
            raise WorkflowError(
                _("Đề nghị này đã được xử lý (%(status)s).")
                % {"status": request.get_status_display()}
            )
        if decision == "approve":
            monitoring_move(
                account=request.account,
                reason="paused",
                actor=actor,
                paused_until=request.until,
                note=request.reason,
                ip=ip,
            )
        elif not _may_decide(actor, request):
            raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với tài khoản."))
        request.status = target
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.note = note[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record_event(
            action=f"monitoring.pause_{target}",
            actor=actor,
            facility=request.account.facility,
            from_status=P.PENDING,
            to_status=target,
            note=note,
            data={"pause_request": request.pk, "until": request.until.isoformat()},
            ip=ip,
        )
    return request


def _may_decide(actor, request):
    from .permissions import may_make

    return may_make(actor, MOVES["paused"], request.account)

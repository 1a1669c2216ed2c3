"""Dossiers that will be late: the portal drafts the apology and a new date, a reviewer
sends it, and the dossier's due date moves (Decree 61/2018, art. 20)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..errors import NotAllowed, WorkflowError
from ..models import Apology, Dossier, Role
from ..permissions import can_act
from ..workdays import add_working_days, is_working_day
from ..workflow import CLOCK_RUNNING
from .audit import record_event
from .locking import lock_dossier, retry_on_deadlock

DEFAULT_REASON = "Hồ sơ cần thêm thời gian thẩm định để bảo đảm đúng quy định."


def apologies_draft(today=None):
    """Draft an apology for each dossier whose clock runs and which is due within the notice
    period or overdue, unless one already waits to be sent. Returns how many were drafted."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, settings.APOLOGY_NOTICE_WORKING_DAYS)
    waiting = Apology.objects.filter(dossier=OuterRef("pk"), sent_at__isnull=True)
    late = (
        Dossier.objects.filter(status__in=CLOCK_RUNNING, due_date__lte=horizon)
        .exclude(Exists(waiting))
        .values_list("pk", "due_date")
    )
    drafted = 0
    for dossier_id, due_date in late.iterator():
        try:
            with transaction.atomic():
                apology = Apology.objects.create(
                    dossier_id=dossier_id,
                    old_due_date=due_date,
                    new_due_date=proposed_due_date(due_date, today),
                    reason=DEFAULT_REASON,
                )
                record_event(
                    action="apology.drafted",
                    dossier=apology.dossier,
                    data={"apology": apology.pk, "due_date": due_date.isoformat()},
                    visible_to_facility=False,
                )
        except IntegrityError:
            # Race: another sweep drafted this dossier's apology first.
            continue
        drafted += 1
    return drafted


def proposed_due_date(old_due_date, today):
    return add_working_days(max(old_due_date, today), settings.APOLOGY_EXTENSION_WORKING_DAYS)


def waiting_apology(dossier):
    """The apology drafted for an open dossier and not sent yet, or None."""
    if dossier.status not in CLOCK_RUNNING:
        return None
    return dossier.apologies.filter(sent_at__isnull=True).first()


@retry_on_deadlock
def apology_send(*, apology, actor, new_due_date, reason, ip=None):
    """The reviewer sends the apology: the dossier's due date becomes `new_due_date`, and the
    letter goes to the facility after commit."""
    reason = reason.strip()
    with transaction.atomic():
        dossier = lock_dossier(apology.dossier_id)
        if not can_act(actor, Role.REVIEWER, dossier):
            raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        # Race: two reviewers sending at once serialise on the dossier; the second finds it sent.
        draft = Apology.objects.select_for_update().get(pk=apology.pk, dossier=dossier)
        if draft.sent_at:
            raise WorkflowError(_("Phiếu xin lỗi này đã được gửi cho cơ sở."))
        if dossier.status not in CLOCK_RUNNING:
            raise WorkflowError(
                _("Hồ sơ đang ở trạng thái “%(status)s”, không cần gửi phiếu xin lỗi.")
                % {"status": dossier.get_status_display()}
            )
        _check_new_date(dossier.due_date, new_due_date)
        if not reason:
            raise WorkflowError(_("Hãy ghi lý do chậm trả kết quả."))
        old_due_date = dossier.due_date
        draft.old_due_date = old_due_date
        draft.new_due_date = new_due_date
        draft.reason = reason
        draft.sent_at = timezone.now()
        draft.sent_by = actor
        draft.save(update_fields=["old_due_date", "new_due_date", "reason", "sent_at", "sent_by"])
        dossier.due_date = new_due_date
        dossier.save(update_fields=["due_date", "updated_at"])
        record_event(
            action="dossier.apology_sent",
            actor=actor,
            dossier=dossier,
            note=reason,
            data={
                "apology": draft.pk,
                "old_due_date": old_due_date.isoformat(),
                "new_due_date": new_due_date.isoformat(),
            },
            ip=ip,
        )
    return draft


def _check_new_date(old_due_date, new_due_date):
    if new_due_date <= old_due_date or new_due_date <= timezone.localdate():
        raise WorkflowError(
            _("Ngày hẹn mới phải sau ngày hẹn cũ (%(date)s) và sau hôm nay.")
            % {"date": date_format(old_due_date, "d/m/Y")}
        )
    if not is_working_day(new_due_date):
        raise WorkflowError(
            _("Ngày hẹn mới phải là ngày làm việc (không phải cuối tuần, ngày lễ).")
        )

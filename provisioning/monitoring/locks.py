"""Locks and unlocks recorded by an account's issuer, with their notice to the facility.

The move itself (checked against `status.MOVES`, audited) is `services.monitoring_move`;
this adds what follows it: the notice letter in the Decree 30 layout, e-mailed to the
facility after commit by a task that is safe to run twice.
"""

from django.db import transaction
from django.utils import timezone

from ..services.letters import account_notice_issue
from . import emails
from .models import StatusChange
from .services import monitoring_move

LOCK_MOVES = ("locked", "unlocked")


def account_lock_record(*, account, reason, actor, note="", ip=None):
    """Record that `account` was locked (reason "locked") or unlocked ("unlocked") on its
    national system; returns the status-change row. The notice goes out after commit."""
    from .tasks import send_account_notice

    if reason not in LOCK_MOVES:
        raise ValueError(reason)
    with transaction.atomic():
        monitoring_move(account=account, reason=reason, actor=actor, note=note, ip=ip)
        change = (
            StatusChange.objects.filter(account=account, reason=reason)
            .order_by("-at", "-pk")
            .first()
        )
        send_account_notice.delay_on_commit(change.pk)
    return change


def account_notice_send(*, change_id):
    """Issue the notice letter (once) and e-mail it to the facility (once).

    Race: the letter is issued under the dossier's lock and found by a second run; the
    e-mail is claimed by a conditional update of `notified_at` before it is sent.
    """
    letter = account_notice_issue(change_id=change_id)
    if not StatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    ):
        return 0
    change = StatusChange.objects.select_related(
        "account__facility__owner", "account__facility__province", "account__monitoring"
    ).get(pk=change_id)
    return emails.account_notice_to_facility(change, letter)

"""The audit table is the outbox of letters and e-mails (as healthchecks' flips are).

`EFFECTS` is the one table of what each audited action produces: the letters it issues, in
order, then the e-mails that announce it; an e-mail to the facility carries the letters of
its event that the facility may read. Writing an event whose action is in the table queues
`notify_event` after commit (`audit.record_event`).

Processing one event: claim it with a conditional update, issue its letters, send its
e-mails, mark it. Race: a redelivered task (`acks_late`), the sweep and the first delivery
may all reach the same event; only the one whose update changed the row goes on. A failure
(a letter that did not render, a deadlock, the mail server down) leaves the claim, the error
and no mark: no e-mail goes out without its letter; the e-mails already sent are noted
(`emails_sent`) so that a retry sends only the others; and the sweep (`outbox_due`, every
minute from the beat) hands the event out again once the claim is RETRY_AFTER old. An event
whose task was never queued (a lost enqueue) is handed out once it is UNCLAIMED_GRACE old.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone, translation

from .. import emails
from ..models import AuditEvent, Letter
from .letters import letters_for_event

logger = logging.getLogger(__name__)

K = Letter.Kind


@dataclass(frozen=True)
class Effects:
    letters: tuple = ()
    emails: tuple = ()


EFFECTS = {
    "dossier.submitted": Effects(
        letters=(K.REQUEST, K.RECEIPT),
        emails=(emails.new_dossier_to_reviewers, emails.receipt_to_facility),
    ),
    "dossier.info_provided": Effects(emails=(emails.new_dossier_to_reviewers,)),
    "dossier.info_requested": Effects(emails=(emails.info_requested_to_facility,)),
    "dossier.approval_proposed": Effects(emails=(emails.proposal_to_approvers,)),
    "dossier.rejection_proposed": Effects(emails=(emails.proposal_to_approvers,)),
    "dossier.returned": Effects(emails=(emails.returned_to_reviewers,)),
    "dossier.approved": Effects(
        letters=(K.DECISION,),
        emails=(emails.approved_to_viettel, emails.approved_to_facility),
    ),
    # The archive comes last so that it lists the letters issued before it.
    "dossier.rejected": Effects(
        letters=(K.DECISION, K.ARCHIVE), emails=(emails.rejected_to_facility,)
    ),
    "dossier.issued": Effects(letters=(K.HANDOVER,), emails=(emails.account_ready_to_facility,)),
    "dossier.completed": Effects(letters=(K.ARCHIVE,)),
    "dossier.withdrawn": Effects(letters=(K.ARCHIVE,)),
    "interconnection.confirmed": Effects(emails=(emails.interconnection_to_reviewers,)),
    "interconnection.refused": Effects(emails=(emails.interconnection_to_reviewers,)),
    "comment.message": Effects(emails=(emails.message,)),
    "account.change_check.still_works": Effects(
        emails=(emails.initial_password_still_works_to_facility,)
    ),
    "apology.drafted": Effects(emails=(emails.apology_drafted_to_reviewers,)),
    "dossier.apology_sent": Effects(letters=(K.APOLOGY,), emails=(emails.apology_to_facility,)),
}

# A claim this old without a mark failed or died with its worker: hand the event out again.
RETRY_AFTER = timedelta(minutes=5)
# An event nobody claimed this long after it was written lost its task.
UNCLAIMED_GRACE = timedelta(minutes=1)
# After this many claims the event is left to the administrator (its last_error says why).
MAX_ATTEMPTS = 10
# An e-mail about something older than this is noise: the sweep leaves it (and logs it).
MAX_AGE = timedelta(days=3)


def produces_effects(action):
    return action in EFFECTS


def outbox_process(event_id, *, now=None):
    """Claim, produce, mark. The number of e-mails sent; None when another run holds the
    event or it is done already (a redelivery), or when it failed (see `last_error`)."""
    now = now or timezone.now()
    claimed = (
        AuditEvent.objects.filter(pk=event_id, notified_at__isnull=True, action__in=EFFECTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - RETRY_AFTER))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    mine = AuditEvent.objects.filter(pk=event_id, claimed_at=now)
    event = AuditEvent.objects.select_related(
        "dossier", "dossier__facility", "dossier__facility__owner"
    ).get(pk=event_id)
    effects = EFFECTS[event.action]
    done = list(event.emails_sent)
    sent = 0
    try:
        letters = letters_for_event(event, effects.letters)
        # E-mails are written in Vietnamese, whatever language the request or task ran in.
        with translation.override("vi"):
            for send in effects.emails:
                if send.__name__ in done:
                    continue  # sent by an earlier attempt that failed further on
                sent += send(event, letters)
                done.append(send.__name__)
                mine.update(emails_sent=done)
    except Exception as error:
        logger.exception("Outbox: event %s (%s) failed", event_id, event.action)
        if event.attempts >= MAX_ATTEMPTS:
            logger.error("Outbox: event %s given up after %s attempts", event_id, MAX_ATTEMPTS)
        mine.update(last_error=f"{type(error).__name__}: {error}"[:2000])
        return None
    mine.update(notified_at=timezone.now(), last_error="")
    return sent


def outbox_due(*, now=None):
    """The ids of events the sweep hands out again: never claimed within UNCLAIMED_GRACE, or
    claimed more than RETRY_AFTER ago and never marked."""
    now = now or timezone.now()
    return list(
        AuditEvent.objects.filter(
            notified_at__isnull=True,
            action__in=EFFECTS,
            attempts__lt=MAX_ATTEMPTS,
            created_at__gte=now - MAX_AGE,
        )
        .filter(
            Q(claimed_at__isnull=True, created_at__lt=now - UNCLAIMED_GRACE)
            | Q(claimed_at__lt=now - RETRY_AFTER)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )

"""The audit table as the outbox of letters and e-mails (issue 8, points 9 and 10).

An event is claimed before anything is sent, marked after; a redelivered task sends nothing
twice; an event whose task was lost, or failed, is handed out again by the beat's sweep; and
an e-mail never announces a letter that does not exist.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.celery import app as celery_app
from provisioning import emails
from provisioning.models import AuditEvent, DossierStatus, Letter
from provisioning.services import letters as letter_service
from provisioning.services import outbox
from provisioning.tasks import notify_event, sweep_outbox

from .flows import dossier_at

pytestmark = pytest.mark.django_db
S = DossierStatus


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


def age(event_id, **fields):
    """Move an event's clocks into the past, as if minutes had gone by."""
    AuditEvent.objects.filter(pk=event_id).update(**fields)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def test_a_redelivery_running_while_the_first_sends_sends_nothing(
    facility, staff, monkeypatch, django_capture_on_commit_callbacks
):
    """acks_late redelivers a task whose worker is slow or lost: the copy must not send."""
    dossier = dossier_at(S.DRAFT, facility=facility)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        from provisioning.services.dossiers import dossier_submit

        dossier_submit(dossier=dossier, actor=facility.owner)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    first_send = emails.new_dossier_to_reviewers

    def send_while_redelivered(event, letters=()):
        notify_event(event.pk)  # the redelivered copy, on another worker, right now
        return first_send(event, letters)

    monkeypatch.setitem(
        outbox.EFFECTS,
        "dossier.submitted",
        outbox.Effects(
            letters=outbox.EFFECTS["dossier.submitted"].letters,
            emails=(send_while_redelivered, emails.receipt_to_facility),
        ),
    )
    for callback in queued:
        callback()

    assert len(to(staff["reviewer"].email)) == 1
    assert len(to(facility.email)) == 1
    event.refresh_from_db()
    assert event.notified_at is not None
    assert event.attempts == 1


def test_running_the_task_again_after_it_finished_sends_nothing(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    sent = len(mail.outbox)

    assert notify_event(event.pk) is None
    assert len(mail.outbox) == sent


def test_an_event_whose_task_was_lost_is_sent_by_the_sweep(facility, staff):
    # No on-commit callback runs here: the task was never queued.
    dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    assert mail.outbox == []
    age(event.pk, created_at=timezone.now() - timedelta(minutes=2))

    assert sweep_outbox() >= 1

    assert len(to(staff["reviewer"].email)) == 1
    receipt = to(facility.email)[0]
    assert {name.split("-")[0] for name, _c, _t in receipt.attachments} == {"request", "receipt"}
    event.refresh_from_db()
    assert event.notified_at is not None


def test_the_sweep_leaves_a_fresh_event_to_its_own_task(facility, staff):
    dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)

    assert sweep_outbox() == 0

    assert mail.outbox == []
    assert AuditEvent.objects.get(dossier=dossier, action="dossier.submitted").attempts == 0


def test_an_email_never_announces_a_letter_that_failed(
    facility, staff, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(context):
        raise RuntimeError("WeasyPrint ran out of memory")

    monkeypatch.setitem(letter_service._RENDERERS, Letter.Kind.HANDOVER, broken)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(S.ISSUED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.issued")

    assert not [m for m in mail.outbox if "sẵn sàng" in m.subject]
    assert not dossier.letters.filter(kind=Letter.Kind.HANDOVER).exists()
    event.refresh_from_db()
    assert event.notified_at is None
    assert "WeasyPrint ran out of memory" in event.last_error

    # Not before the claim is old: a worker may still be on it.
    monkeypatch.undo()
    assert sweep_outbox() == 0
    age(event.pk, claimed_at=timezone.now() - outbox.RETRY_AFTER - timedelta(seconds=1))
    assert sweep_outbox() == 1

    handover = dossier.letters.get(kind=Letter.Kind.HANDOVER)
    [ready] = [m for m in mail.outbox if "sẵn sàng" in m.subject]
    with handover.file.open("rb") as stored:
        assert ready.attachments[0][1] == stored.read()
    event.refresh_from_db()
    assert (event.attempts, event.last_error) == (2, "")
    assert event.notified_at is not None


def test_a_mail_server_that_is_down_leaves_the_event_for_the_sweep(
    facility, staff, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    assert event.notified_at is None
    assert "SMTP down" in event.last_error

    monkeypatch.undo()
    age(event.pk, claimed_at=timezone.now() - outbox.RETRY_AFTER - timedelta(seconds=1))
    sweep_outbox()

    assert len(to(staff["reviewer"].email)) == 1


def test_the_sweep_gives_an_event_up_after_the_last_attempt(facility, staff):
    dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    age(
        event.pk,
        attempts=outbox.MAX_ATTEMPTS,
        claimed_at=timezone.now() - timedelta(hours=1),
        last_error="RuntimeError: still broken",
    )

    assert sweep_outbox() == 0
    assert mail.outbox == []


def test_events_that_produce_nothing_are_never_claimed(facility, staff):
    dossier = dossier_at(S.DRAFT, facility=facility)
    created = AuditEvent.objects.get(dossier=dossier, action="dossier.created")
    age(created.pk, created_at=timezone.now() - timedelta(hours=1))

    assert sweep_outbox() == 0
    assert notify_event(created.pk) is None
    created.refresh_from_db()
    assert created.attempts == 0


def test_the_beat_runs_the_outbox_sweep_every_minute(facility, staff):
    [entry] = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"].endswith(".sweep_outbox")
    ]
    dossier = dossier_at(S.SUBMITTED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    age(event.pk, created_at=timezone.now() - timedelta(minutes=2))

    # The task the beat names, as the worker would find it by that name.
    celery_app.tasks[entry["task"]].apply()

    assert entry["schedule"] == 60.0
    assert len(to(staff["reviewer"].email)) == 1


def test_the_facility_email_carries_the_letters_it_may_read_and_never_the_archive(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(S.REJECTED, facility=facility, **staff)

    assert dossier.letters.filter(kind=Letter.Kind.ARCHIVE).exists()
    [rejected] = [m for m in mail.outbox if "không được chấp thuận" in m.subject]
    assert [name.split("-")[0] for name, _c, _t in rejected.attachments] == ["decision"]


def test_one_table_says_which_letters_each_action_issues(facility, staff):
    """The letters a move issues are exactly those its row of EFFECTS names."""
    for action, effects in outbox.EFFECTS.items():
        for kind in effects.letters:
            assert kind in Letter.Kind.values, action
        for send in effects.emails:
            assert callable(send), action
    assert outbox.EFFECTS["dossier.issued"].letters == (Letter.Kind.HANDOVER,)
    assert not hasattr(emails, "BY_ACTION")
    assert not hasattr(letter_service, "LETTERS_BY_ACTION")


def test_a_retry_sends_only_the_emails_an_earlier_attempt_did_not(
    facility, staff, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def facility_mail_fails_once(event, letters=()):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionResetError("SMTP dropped the connection")
        return emails.approved_to_facility(event, letters)

    monkeypatch.setitem(
        outbox.EFFECTS,
        "dossier.approved",
        outbox.Effects(
            letters=outbox.EFFECTS["dossier.approved"].letters,
            emails=(emails.approved_to_viettel, facility_mail_fails_once),
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(S.APPROVED, facility=facility, **staff)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.approved")
    assert event.emails_sent == ["approved_to_viettel"]

    age(event.pk, claimed_at=timezone.now() - outbox.RETRY_AFTER - timedelta(seconds=1))
    sweep_outbox()

    approved = [m for m in mail.outbox if "đã được duyệt" in m.subject]
    assert len([m for m in approved if staff["viettel"].email in m.to]) == 1
    assert len([m for m in mail.outbox if "đã được phê duyệt" in m.subject]) == 1
    event.refresh_from_db()
    assert event.emails_sent == ["approved_to_viettel", "facility_mail_fails_once"]
    assert event.notified_at is not None

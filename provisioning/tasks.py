"""Celery tasks: they take ids, call services or e-mail functions, and are safe to rerun."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from . import emails
from .crypto import SecretUnreadable, decrypt
from .models import Membership, NationalAccount
from .services.accounts import account_set_change_check, account_set_verification
from .services.apologies import apologies_draft
from .services.letters import letter_issue
from .services.outbox import outbox_due, outbox_process
from .workflow import CHECK_WAITING, MOVES, NOT_VERIFIED

logger = logging.getLogger(__name__)


@shared_task
def notify_event(event_id):
    """Issue the letters and send the e-mails an audited change produces, once: the event is
    claimed first, so a redelivery or a second run sends nothing (`services.outbox`). A
    failure is left to `sweep_outbox`, which hands the event out again."""
    return outbox_process(event_id)


@shared_task
def sweep_outbox():
    """Every minute: queue again each event whose letters and e-mails never went out (its
    task was lost, or failed, or died with its worker)."""
    due = outbox_due()
    for event_id in due:
        notify_event.delay(event_id)
    return len(due)


@shared_task
def issue_letter(dossier_id, kind):
    """Render and store a dossier's letter of `kind`; a second run returns the same one."""
    return letter_issue(dossier_id=dossier_id, kind=kind).pk


@shared_task
def draft_apologies():
    """Draft the apology of every dossier about to miss its due date (hourly; idempotent)."""
    return apologies_draft()


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def send_staff_invitation(membership_id):
    membership = Membership.objects.select_related("user", "province").get(pk=membership_id)
    user = membership.user
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return emails.staff_invitation(membership, settings.SITE_URL + path)


@shared_task
def verify_account(account_id):
    """Log in once with a recorded account and store the outcome.

    Never called from a request: the national systems may be slow or down. An unreachable
    system leaves the account `unreachable`; `verify_pending_accounts` tries it again. A
    crash between the login and the save leaves it `pending`, which the sweep also retries.
    """
    return _log_in_with_initial_password(
        account_id,
        waiting=lambda account: account.verification in NOT_VERIFIED,
        store=account_set_verification,
    )


@shared_task
def verify_pending_accounts():
    """Retry every account not handed over whose last check was not conclusive."""
    stale = timezone.now() - timedelta(minutes=1)
    retry = NationalAccount.objects.filter(
        handed_over_at__isnull=True,
        verification__in=[
            NationalAccount.Verification.PENDING,
            NationalAccount.Verification.UNREACHABLE,
        ],
        created_at__lt=stale,
    ).values_list("pk", flat=True)
    for account_id in retry:
        verify_account.delay(account_id)
    return len(retry)


@shared_task
def check_initial_password(account_id):
    """With the facility's consent, log in once with the initial password, which must now
    fail, and store the outcome (`account_set_change_check` completes the dossier on a
    refusal). Unreachable or locked leaves the check `unreachable` and a crash before the
    save leaves it `pending`: `check_pending_password_changes` tries both again. Rerunning
    it after a result changes nothing.
    """
    return _log_in_with_initial_password(
        account_id,
        waiting=lambda account: account.change_check in CHECK_WAITING,
        store=account_set_change_check,
    )


def _log_in_with_initial_password(account_id, *, waiting, store):
    """One login with the account's stored initial password, while `waiting(account)`
    holds; `store` (a service) records the outcome. Returns the outcome, or None."""
    from .national.verification import check_credentials

    account = NationalAccount.objects.filter(pk=account_id).first()
    if account is None or not waiting(account) or not account.password_ciphertext:
        return None
    try:
        password = decrypt(account.password_ciphertext)
    except SecretUnreadable:
        # Nothing to try: the admin index counts such records and the admins were told.
        logger.error("Account %s: no encryption key opens its initial password", account.pk)
        return None
    result = check_credentials(account.system, account.username, password)
    store(account_id=account.pk, outcome=str(result.outcome), message=result.message)
    return str(result.outcome)


@shared_task
def check_pending_password_changes():
    """Retry every consented initial-password check still waiting for a conclusive login."""
    stale = timezone.now() - timedelta(minutes=1)
    retry = list(
        NationalAccount.objects.filter(
            change_check__in=CHECK_WAITING,
            change_checked_at__lt=stale,
            dossier__status__in=MOVES["confirm_password_change"].sources,
        )
        .exclude(password_ciphertext="")
        .values_list("pk", flat=True)
    )
    for account_id in retry:
        check_initial_password.delay(account_id)
    return len(retry)


@shared_task
def clear_expired_sessions():
    """Delete the sessions past their expiry: nothing else removes them from the database."""
    call_command("clearsessions")

"""Celery tasks: they take ids, call services or e-mail functions, and are safe to rerun."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import emails
from .crypto import decrypt
from .models import AuditEvent, Membership, NationalAccount
from .services.accounts import account_set_verification
from .services.letters import letter_for_action, letter_issue

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def notify_event(event_id):
    """Send the e-mails an audited change triggers, once."""
    event = AuditEvent.objects.select_related(
        "dossier", "dossier__facility", "dossier__facility__owner"
    ).get(pk=event_id)
    if event.notified_at:
        return 0
    if event.dossier_id:
        # The letter first, so that the facility's e-mail can carry it. A letter that fails
        # to render must not hold back the e-mails: it is logged and can be issued again
        # with `issue_letter`.
        try:
            letter_for_action(dossier_id=event.dossier_id, action=event.action)
        except Exception:
            logger.exception("Letter for event %s (%s) failed", event.pk, event.action)
    sent = emails.send_for_event(event)
    # Race: a duplicate delivery of this task may run concurrently; only one marks it.
    AuditEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return sent


@shared_task
def issue_letter(dossier_id, kind):
    """Render and store a dossier's letter of `kind`; a second run returns the same one."""
    return letter_issue(dossier_id=dossier_id, kind=kind).pk


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
    from .national.verification import check_credentials

    account = NationalAccount.objects.filter(pk=account_id).first()
    if (
        account is None
        or account.verification == NationalAccount.Verification.VERIFIED
        or not account.password_ciphertext
    ):
        return None
    result = check_credentials(
        account.system, account.username, decrypt(account.password_ciphertext)
    )
    account_set_verification(
        account_id=account.pk, outcome=str(result.outcome), message=result.message
    )
    return str(result.outcome)


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

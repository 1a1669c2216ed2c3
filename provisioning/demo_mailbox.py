"""The demo's mailbox: every e-mail the portal sends is kept as an .eml file, and a page
(DEBUG only) shows them as readable text with clickable links.

The web server (sign-up, password reset) and the Celery worker (dossier notifications) both
send mail: both write here, so a newcomer finds every e-mail of the demo in one place.
"""

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

BACKEND = "provisioning.demo_mailbox.EmailBackend"


def directory():
    return Path(settings.DEMO_MAILBOX_DIR)


def is_active():
    """Whether the demo sends its mail here (then the demo banner links to the mailbox)."""
    return settings.DEBUG and settings.MAILERS["default"]["BACKEND"] == BACKEND


class EmailBackend(BaseEmailBackend):
    """Writes each message to DEMO_MAILBOX_DIR as `<time>-<random>.eml`; sends nothing."""

    def send_messages(self, email_messages):
        folder = directory()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}"
            # Written under a temporary name, then renamed: the page never reads half a file.
            partial = folder / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(folder / f"{name}.eml")
        return len(email_messages)


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Mail:
    """A stored e-mail, decoded: base64 and quoted-printable are undone, links kept whole."""

    name: str
    subject: str
    sender: str
    recipients: list[str]
    date: datetime | None
    text: str
    attachments: list[Attachment]

    @classmethod
    def read(cls, path):
        with path.open("rb") as stored:
            message = email.message_from_binary_file(stored, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        recipients = [
            address.strip()
            for header in ("To", "Cc", "Bcc")
            for address in str(message.get(header, "")).split(",")
            if address.strip()
        ]
        date = message.get("Date")
        return cls(
            name=path.stem,
            subject=str(message.get("Subject", "")),
            sender=str(message.get("From", "")),
            recipients=recipients,
            date=parsedate_to_datetime(str(date)) if date else None,
            text=body.get_content() if body is not None else "",
            attachments=[
                Attachment(
                    part.get_filename() or "tep-dinh-kem",
                    part.get_content_type(),
                    part.get_content(),
                )
                for part in message.iter_attachments()
            ],
        )


def mails(limit=200):
    """The newest stored e-mails, newest first (names start with the time they were sent)."""
    folder = directory()
    if not folder.is_dir():
        return []
    return [Mail.read(path) for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]]


def mail(name):
    """One stored e-mail by its name, or None. Names are file stems: never a path."""
    path = directory() / f"{name}.eml"
    if "/" in name or name.startswith(".") or not path.is_file():
        return None
    return Mail.read(path)

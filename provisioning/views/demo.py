"""The demo's mailbox: the e-mails the demo sent, readable, for everyone trying it out.

Only with DEBUG on (settings refuse DEBUG with a public host); a 404 otherwise.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from .. import demo_mailbox


def _debug_only():
    if not settings.DEBUG:
        raise Http404


def mailbox(request):
    _debug_only()
    return render(
        request,
        "demo/mailbox.html",
        {"mails": demo_mailbox.mails(), "active": demo_mailbox.is_active()},
    )


def _mail_or_404(name):
    _debug_only()
    found = demo_mailbox.mail(name)
    if found is None:
        raise Http404
    return found


def mail(request, name):
    return render(request, "demo/mail.html", {"mail": _mail_or_404(name)})


def attachment(request, name, index):
    attachments = _mail_or_404(name).attachments
    if not 0 <= index < len(attachments):
        raise Http404
    attached = attachments[index]
    response = HttpResponse(attached.content, content_type=attached.content_type)
    response["Content-Disposition"] = content_disposition_header(False, attached.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response

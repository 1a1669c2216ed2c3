"""One function per e-mail. Each renders a subject, a text body and an HTML body."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Letter, Membership, Role


def _send(*, template, subject, to, context, attachments=()):
    """`attachments`: (filename, bytes, content type) tuples, e.g. a letter's PDF."""
    recipients = sorted({address.lower() for address in to if address})
    if not recipients:
        return 0
    # E-mails are written in Vietnamese whatever language the triggering request used.
    with translation.override("vi"):
        context = {"site_url": settings.SITE_URL, **context}
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string("emails/base.html", {**context, "body": text})
        message = EmailMultiAlternatives(
            subject=f"[Liên thông Dược] {subject}", body=text, to=recipients
        )
        message.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        return message.send()


def letter_attachments(dossier, kind):
    """The dossier's letter of `kind` as an attachment list (empty if it was not issued)."""
    letter = Letter.objects.filter(dossier=dossier, kind=kind).first()
    if letter is None:
        return []
    try:
        with letter.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        return []
    return [(f"{letter.kind}-{dossier.code or dossier.pk}.pdf", content, "application/pdf")]


def staff_addresses(province_id, role):
    return list(
        Membership.objects.filter(
            province_id=province_id, role=role, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def facility_addresses(dossier):
    return [dossier.facility.email, dossier.facility.owner.email]


def _link(name, pk):
    return settings.SITE_URL + reverse(name, args=[pk])


def _dossier_context(event):
    dossier = event.dossier
    return {"dossier": dossier, "facility": dossier.facility, "event": event}


def new_dossier_to_reviewers(event):
    dossier = event.dossier
    return _send(
        template="new_dossier",
        subject=_("Hồ sơ %(code)s cần thẩm định") % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.REVIEWER),
        context={**_dossier_context(event), "link": _link("review:dossier", dossier.pk)},
    )


def receipt_to_facility(event):
    dossier = event.dossier
    return _send(
        template="receipt",
        subject=_("Đã tiếp nhận hồ sơ %(code)s") % {"code": dossier.code},
        to=facility_addresses(dossier),
        context={**_dossier_context(event), "link": _link("facility:dossier", dossier.pk)},
        attachments=letter_attachments(dossier, Letter.Kind.RECEIPT),
    )


def info_requested_to_facility(event):
    dossier = event.dossier
    return _send(
        template="info_requested",
        subject=_("Hồ sơ %(code)s cần bổ sung") % {"code": dossier.code},
        to=facility_addresses(dossier),
        context={
            **_dossier_context(event),
            "items": dossier.info_items.filter(answered_at__isnull=True),
            "link": _link("facility:dossier", dossier.pk),
        },
    )


def proposal_to_approvers(event):
    dossier = event.dossier
    return _send(
        template="proposal",
        subject=_("Hồ sơ %(code)s chờ lãnh đạo duyệt") % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.APPROVER),
        context={**_dossier_context(event), "link": _link("review:dossier", dossier.pk)},
    )


def returned_to_reviewers(event):
    dossier = event.dossier
    return _send(
        template="returned",
        subject=_("Hồ sơ %(code)s được trả lại để xử lý tiếp") % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.REVIEWER),
        context={**_dossier_context(event), "link": _link("review:dossier", dossier.pk)},
    )


def approved_to_viettel(event):
    dossier = event.dossier
    return _send(
        template="approved_viettel",
        subject=_("Hồ sơ %(code)s đã được duyệt: đề nghị tạo tài khoản") % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.VIETTEL),
        context={**_dossier_context(event), "link": _link("issuance:dossier", dossier.pk)},
    )


def approved_to_facility(event):
    dossier = event.dossier
    return _send(
        template="approved_facility",
        subject=_("Hồ sơ %(code)s đã được phê duyệt") % {"code": dossier.code},
        to=facility_addresses(dossier),
        context={**_dossier_context(event), "link": _link("facility:dossier", dossier.pk)},
        attachments=letter_attachments(dossier, Letter.Kind.DECISION),
    )


def rejected_to_facility(event):
    dossier = event.dossier
    return _send(
        template="rejected",
        subject=_("Hồ sơ %(code)s không được chấp thuận") % {"code": dossier.code},
        to=facility_addresses(dossier),
        context={**_dossier_context(event), "link": _link("facility:dossier", dossier.pk)},
        attachments=letter_attachments(dossier, Letter.Kind.DECISION),
    )


def account_ready_to_facility(event):
    dossier = event.dossier
    return _send(
        template="account_ready",
        subject=_("Tài khoản liên thông của %(name)s đã sẵn sàng") % {"name": dossier.facility},
        to=facility_addresses(dossier),
        context={**_dossier_context(event), "link": _link("facility:dossier", dossier.pk)},
        attachments=letter_attachments(dossier, Letter.Kind.HANDOVER),
    )


def interconnection_to_reviewers(event):
    dossier = event.dossier
    return _send(
        template="interconnection",
        subject=_("Viettel đã phản hồi xác nhận liên thông hồ sơ %(code)s")
        % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.REVIEWER),
        context={**_dossier_context(event), "link": _link("review:dossier", dossier.pk)},
    )


def message_to_facility(event):
    dossier = event.dossier
    return _send(
        template="message",
        subject=_("Sở Y tế gửi trao đổi về hồ sơ %(code)s") % {"code": dossier.code},
        to=facility_addresses(dossier),
        context={**_dossier_context(event), "link": _link("facility:dossier", dossier.pk)},
    )


def message_to_reviewers(event):
    dossier = event.dossier
    return _send(
        template="message",
        subject=_("Cơ sở gửi trao đổi về hồ sơ %(code)s") % {"code": dossier.code},
        to=staff_addresses(dossier.province_id, Role.REVIEWER),
        context={**_dossier_context(event), "link": _link("review:dossier", dossier.pk)},
    )


def staff_invitation(membership, set_password_url):
    return _send(
        template="staff_invitation",
        subject=_("Mời tham gia cổng Liên thông Dược"),
        to=[membership.user.email],
        context={"membership": membership, "link": set_password_url},
    )


def _message(event):
    is_from_facility = event.actor_id == event.dossier.facility.owner_id
    return (message_to_reviewers if is_from_facility else message_to_facility)(event)


# Which e-mails each audited action sends: the people who must act next.
BY_ACTION = {
    "dossier.submitted": [new_dossier_to_reviewers, receipt_to_facility],
    "dossier.info_provided": [new_dossier_to_reviewers],
    "dossier.info_requested": [info_requested_to_facility],
    "dossier.approval_proposed": [proposal_to_approvers],
    "dossier.rejection_proposed": [proposal_to_approvers],
    "dossier.returned": [returned_to_reviewers],
    "dossier.approved": [approved_to_viettel, approved_to_facility],
    "dossier.rejected": [rejected_to_facility],
    "dossier.issued": [account_ready_to_facility],
    "interconnection.confirmed": [interconnection_to_reviewers],
    "interconnection.refused": [interconnection_to_reviewers],
    "comment.message": [_message],
}


def send_for_event(event):
    return sum(send(event) for send in BY_ACTION.get(event.action, []))

"""One function per e-mail. Each renders a subject, a text body and an HTML body."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Letter, Membership, Role
from .workflow import FACILITY


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


def attachment(letter):
    """A stored letter as an attachment. A letter whose file is missing raises: an e-mail
    never announces a letter it cannot carry (the outbox retries it)."""
    with letter.file.open("rb") as stored:
        content = stored.read()
    name = f"{letter.kind}-{letter.dossier.code or letter.dossier_id}.pdf"
    return (name, content, "application/pdf")


def staff_addresses(province_id, role):
    return list(
        Membership.objects.filter(
            province_id=province_id, role=role, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def facility_addresses(dossier):
    return [dossier.facility.email, dossier.facility.owner.email]


# Where each audience opens the dossier the e-mail is about.
LINKS = {
    FACILITY: "facility:dossier",
    Role.REVIEWER: "review:dossier",
    Role.APPROVER: "review:dossier",
    Role.VIETTEL: "issuance:dossier",
}


def _about_dossier(event, audience, *, template, subject, letters=(), **context):
    """An e-mail about the event's dossier to `audience` (FACILITY or a staff role) of its
    province, linking to the page they act on. `letters` are the ones the event issued
    (`services.outbox.EFFECTS`): the facility's e-mail carries those it may read."""
    dossier = event.dossier
    if audience == FACILITY:
        to = facility_addresses(dossier)
        attached = [letter for letter in letters if letter.kind not in Letter.STAFF_ONLY_KINDS]
    else:
        to = staff_addresses(dossier.province_id, audience)
        attached = []
    return _send(
        template=template,
        subject=subject % {"code": dossier.code, "name": dossier.facility.name},
        to=to,
        context={
            "dossier": dossier,
            "facility": dossier.facility,
            "event": event,
            "link": settings.SITE_URL + reverse(LINKS[audience], args=[dossier.pk]),
            **context,
        },
        attachments=[attachment(letter) for letter in attached],
    )


def new_dossier_to_reviewers(event, letters=()):
    return _about_dossier(
        event,
        Role.REVIEWER,
        letters=letters,
        template="new_dossier",
        subject=_("Hồ sơ %(code)s cần thẩm định"),
    )


def receipt_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="receipt",
        subject=_("Đã tiếp nhận hồ sơ %(code)s"),
    )


def info_requested_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="info_requested",
        subject=_("Hồ sơ %(code)s cần bổ sung"),
        items=event.dossier.info_items.filter(answered_at__isnull=True),
    )


def proposal_to_approvers(event, letters=()):
    return _about_dossier(
        event,
        Role.APPROVER,
        letters=letters,
        template="proposal",
        subject=_("Hồ sơ %(code)s chờ lãnh đạo duyệt"),
    )


def returned_to_reviewers(event, letters=()):
    return _about_dossier(
        event,
        Role.REVIEWER,
        letters=letters,
        template="returned",
        subject=_("Hồ sơ %(code)s được trả lại để xử lý tiếp"),
    )


def approved_to_viettel(event, letters=()):
    return _about_dossier(
        event,
        Role.VIETTEL,
        letters=letters,
        template="approved_viettel",
        subject=_("Hồ sơ %(code)s đã được duyệt: đề nghị tạo tài khoản"),
    )


def approved_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="approved_facility",
        subject=_("Hồ sơ %(code)s đã được phê duyệt"),
    )


def rejected_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="rejected",
        subject=_("Hồ sơ %(code)s không được chấp thuận"),
    )


def account_ready_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="account_ready",
        subject=_("Tài khoản liên thông của %(name)s đã sẵn sàng"),
    )


def interconnection_to_reviewers(event, letters=()):
    return _about_dossier(
        event,
        Role.REVIEWER,
        letters=letters,
        template="interconnection",
        subject=_("Viettel đã phản hồi xác nhận liên thông hồ sơ %(code)s"),
    )


def message_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="message",
        subject=_("Sở Y tế gửi trao đổi về hồ sơ %(code)s"),
    )


def message_to_reviewers(event, letters=()):
    return _about_dossier(
        event,
        Role.REVIEWER,
        letters=letters,
        template="message",
        subject=_("Cơ sở gửi trao đổi về hồ sơ %(code)s"),
    )


def apology_drafted_to_reviewers(event, letters=()):
    return _about_dossier(
        event,
        Role.REVIEWER,
        letters=letters,
        template="apology_drafted",
        subject=_("Hồ sơ %(code)s sắp trễ hạn: phiếu xin lỗi chờ gửi"),
    )


def apology_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="apology",
        subject=_("Sở Y tế xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s"),
        # The date this apology promised, even if a later one has moved it again since.
        new_due_date=date.fromisoformat(event.data["new_due_date"]),
    )


def initial_password_still_works_to_facility(event, letters=()):
    return _about_dossier(
        event,
        FACILITY,
        letters=letters,
        template="initial_password_still_works",
        subject=_("Mật khẩu ban đầu của %(name)s vẫn đăng nhập được: hãy đổi ngay"),
        account=event.dossier.account,
    )


def staff_invitation(membership, set_password_url):
    with translation.override("vi"):
        return _send(
            template="staff_invitation",
            subject=_("Mời tham gia cổng Liên thông Dược"),
            to=[membership.user.email],
            context={"membership": membership, "link": set_password_url},
        )


def message(event, letters=()):
    """A message from the facility goes to the reviewers; one from the Sở to the facility."""
    is_from_facility = event.actor_id == event.dossier.facility.owner_id
    send = message_to_reviewers if is_from_facility else message_to_facility
    return send(event, letters)

"""Monitoring's e-mails, one function per e-mail (sent by `notify.py` and the lock services).

Each renders `templates/emails/monitoring_<name>.txt` in the house layout through
`provisioning.emails._send`, in Vietnamese, greeting people by name.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from ..emails import _send, attachment, staff_addresses
from ..models import Role
from .status import grace_days


def _person(user):
    return user.full_name or user.email


def _facility_link():
    return settings.SITE_URL + reverse("facility:home")


def _to_facility(change, *, template, subject, attachments=(), **context):
    account = change.account
    facility = account.facility
    state = account.monitoring
    return _send(
        template=template,
        subject=subject % {"name": facility.name},
        to=[facility.email, facility.owner.email],
        context={
            "person": _person(facility.owner),
            "facility": facility,
            "account": account,
            "province": facility.province,
            "change": change,
            "quiet_since": state.quiet_since,
            "days": (change.at - state.quiet_since).days,
            "link": _facility_link(),
            **context,
        },
        attachments=attachments,
    )


def late_to_facility(change):
    return _to_facility(
        change,
        template="monitoring_late",
        subject=_("%(name)s: chậm gửi dữ liệu lên hệ thống quốc gia"),
    )


def silent_to_facility(change):
    kind = change.account.facility.kind
    return _to_facility(
        change,
        template="monitoring_silent",
        subject=_("%(name)s: đã ngừng gửi dữ liệu lên hệ thống quốc gia"),
        due_lock_days=grace_days(kind)["due_lock"],
    )


def recovered_to_facility(change):
    return _to_facility(
        change,
        template="monitoring_recovered",
        subject=_("%(name)s: đã có dữ liệu trở lại"),
    )


def silent_to_vendor(vendor, changes):
    """One e-mail per vendor listing its facilities still silent after their reminder."""
    return _send(
        template="monitoring_silent_vendor",
        subject=_("%(count)s cơ sở dùng phần mềm của %(vendor)s ngừng gửi dữ liệu")
        % {"count": len(changes), "vendor": vendor.short_name},
        to=[vendor.contact_email],
        context={
            "vendor": vendor,
            "changes": changes,
            "province": changes[0].account.facility.province,
        },
    )


def _incident_context(incident, accounts, province):
    return {"incident": incident, "accounts": accounts, "province": province}


def incident_to_vendor(incident, accounts):
    return _send(
        template="monitoring_incident",
        subject=_("Sự cố: %(count)s cơ sở dùng phần mềm %(vendor)s ngừng gửi dữ liệu")
        % {"count": len(accounts), "vendor": incident.vendor.short_name},
        to=[incident.vendor.contact_email],
        context={
            **_incident_context(incident, accounts, accounts[0].facility.province),
            "recipient": incident.vendor.label,
        },
    )


def incident_to_viettel(incident, province, accounts):
    """To the Viettel branch of one province, about that province's facilities."""
    return _send(
        template="monitoring_incident",
        subject=_("Sự cố: %(count)s cơ sở dùng phần mềm %(vendor)s ngừng gửi dữ liệu")
        % {"count": len(accounts), "vendor": incident.vendor.short_name},
        to=staff_addresses(province.pk, Role.VIETTEL),
        context={
            **_incident_context(incident, accounts, province),
            "recipient": _("Chi nhánh Viettel %(province)s") % {"province": province.name},
        },
    )


def digest_to_staff(user, province, summary):
    """The daily digest to one reviewer or approver of the province."""
    return _send(
        template="monitoring_digest",
        subject=_("Tình hình gửi dữ liệu của các cơ sở ngày %(day)s")
        % {"day": summary["day"].strftime("%d/%m/%Y")},
        to=[user.email],
        context={
            **summary,
            "person": _person(user),
            "province": province,
            "lock_link": settings.SITE_URL + reverse("monitoring:lock_list"),
        },
    )


def account_notice_to_facility(change, letter):
    """The lock or unlock notice, with its letter attached when the account has a dossier."""
    attachments = [attachment(letter)] if letter is not None else []
    locked = change.reason == "locked"
    return _to_facility(
        change,
        template="monitoring_account_notice",
        subject=_("%(name)s: tài khoản liên thông đã bị khóa")
        if locked
        else _("%(name)s: tài khoản liên thông đã được mở khóa"),
        locked=locked,
        letter=letter,
        attachments=attachments,
    )

from django import template
from django.utils.translation import gettext as _

from .. import workflow
from ..models import DossierStatus, Letter
from ..workflow import EVENT_LABELS

register = template.Library()


@register.filter
def event_label(action):
    return EVENT_LABELS.get(action, action)


@register.filter
def event_note(event):
    """The note under a timeline step; a letter's kind in the reader's language (the stored
    note is the Vietnamese title, as printed on the letter)."""
    if event.action == "letter.issued" and (event.data or {}).get("kind") in Letter.Kind.values:
        label = str(Letter.Kind(event.data["kind"]).label)
        return f"{label} {event.data.get('number', '')}".strip()
    return workflow.readable_note(event)


@register.filter
def verification_sentence(account):
    """What the last login check of a recorded account means, and what happens next."""
    step = workflow.VERIFICATION_STEPS.get(account.verification)
    return step.label if step and step.target != workflow.Verification.PENDING else ""


@register.filter
def person(user):
    """A person as pages and e-mails name them: "Trần Thị An, Chủ nhà thuốc". Never the
    e-mail address, which is not a name."""
    if user is None:
        return ""
    name = user.full_name or _("(chưa khai báo họ tên)")
    return f"{name}, {user.position}" if user.position else name


@register.filter
def allows(dossier, move):
    """`{% if dossier|allows:"withdraw" %}`: whether the move may be made now."""
    return workflow.allows(dossier, move)


@register.filter
def conversation_open(dossier):
    return workflow.conversation_open(dossier)


@register.filter
def status_label(status):
    try:
        return DossierStatus(status).label
    except ValueError:
        return status


@register.filter
def filesize(size):
    from ..uploads import format_size

    return format_size(size)

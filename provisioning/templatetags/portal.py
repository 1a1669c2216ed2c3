from django import template
from django.utils import timezone

from ..models import DossierStatus
from ..workflow import EVENT_LABELS

register = template.Library()


@register.filter
def event_label(action):
    return EVENT_LABELS.get(action, action)


@register.filter
def status_label(status):
    try:
        return DossierStatus(status).label
    except ValueError:
        return status


@register.filter
def due_class(dossier):
    """`overdue` or `due-soon` for a dossier still with the Sở, else empty."""
    from ..selectors import due_soon_limit

    if not dossier.due_date or dossier.status not in (
        DossierStatus.SUBMITTED, DossierStatus.PROPOSED_APPROVAL, DossierStatus.PROPOSED_REJECTION
    ):
        return ""
    today = timezone.localdate()
    if dossier.due_date < today:
        return "overdue"
    return "due-soon" if dossier.due_date <= due_soon_limit(today) else ""


@register.filter
def filesize(size):
    from ..uploads import format_size

    return format_size(size)

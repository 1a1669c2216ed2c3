from django import template

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
def filesize(size):
    from ..uploads import format_size

    return format_size(size)

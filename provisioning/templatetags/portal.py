from django import template

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
    return event.note


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

"""The admin index's alert when stored secrets can no longer be decrypted."""

from django import template

from .. import crypto

register = template.Library()


@register.inclusion_tag("admin/encryption_notice.html")
def encryption_notice():
    return {"unreadable": sum(1 for _record in crypto.unreadable_records())}

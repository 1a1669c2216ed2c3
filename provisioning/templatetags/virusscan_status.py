"""The admin index's notice on whether uploads are scanned for malware."""

from django import template

from .. import virusscan

register = template.Library()


@register.inclusion_tag("admin/virus_scan_notice.html")
def virus_scan_notice():
    """Say plainly when nothing is scanned; otherwise name the daemon and PING it."""
    address = virusscan.daemon_address()
    if address is None:
        return {"configured": False}
    return {
        "configured": True,
        "daemon": virusscan.describe(address),
        "answering": virusscan.ping(address=address),
    }

"""Template filters for letters: dates, times and sizes the way Vietnamese documents write them.

Built into the letters' own template engine (see rendering.py), so templates need no {% load %}.
"""

import datetime

from django import template
from django.utils import timezone

from provisioning.uploads import format_size

register = template.Library()


def _local(value):
    # Aware datetimes are stored in UTC; a letter speaks the province's local time.
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def vn_date(value):
    """'ngày 05 tháng 01 năm 2026': Decree 30/2020 pads days below 10 and months 1 and 2."""
    if not value:
        return ""
    value = _local(value)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


@register.filter
def vn_short_date(value):
    """'05/01/2026'."""
    if not value:
        return ""
    return _local(value).strftime("%d/%m/%Y")


@register.filter
def vn_datetime(value):
    """'14 giờ 30 phút, ngày 27/11/2026'."""
    if not value:
        return ""
    value = _local(value)
    return f"{value.hour:02d} giờ {value.minute:02d} phút, ngày {value.strftime('%d/%m/%Y')}"


@register.filter
def vn_timestamp(value):
    """'27/11/2026 14:30', for the dense tables of the archive record."""
    if not value:
        return ""
    return _local(value).strftime("%d/%m/%Y %H:%M")


@register.filter
def vn_filesize(value):
    """'2,4 MB', '380 KB', '912 byte'."""
    if value is None or value == "":
        return ""
    return format_size(int(value))


@register.filter
def two_digits(value):
    """'01', '02' … as counts are written in administrative documents ('01 bộ')."""
    return f"{int(value):02d}"


@register.filter
def halves(value):
    """A SHA-256 split in two lines' worth, so a 64-character hash never overflows a cell."""
    text = str(value or "")
    middle = len(text) // 2
    return [text[:middle], text[middle:]] if text else []

"""Reads of the register used by the staff pages."""

from django.db.models import Q
from django.db.models.lookups import Contains

from ..search import Folded, fold
from .models import RegisterEntry, RegisterImport


def register_entries(provinces, *, text="", awaiting_commune=False):
    """The entries of `provinces`; `text` matches the name, certificate number or tax code
    whatever its case and diacritics; `awaiting_commune` keeps those no commune was chosen
    for."""
    entries = RegisterEntry.objects.filter(province_id__in=provinces).select_related("commune")
    if awaiting_commune:
        entries = entries.filter(commune__isnull=True)
    text = text.strip()
    if text:
        wanted = fold(text)
        entries = entries.filter(
            Q(Contains(Folded("name"), wanted))
            | Q(Contains(Folded("certificate_number"), wanted))
            | Q(tax_code__contains=text)
        )
    return entries.order_by("name", "pk")


def register_imports(provinces):
    return (
        RegisterImport.objects.filter(province_id__in=provinces)
        .select_related("uploaded_by", "province")
        .defer("content")
    )

"""Reads used in more than one place."""

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.lookups import Contains
from django.utils import timezone

from .models import AuditEvent, Document, Facility, GuidanceDocument
from .search import Folded, fold
from .workdays import add_working_days
from .workflow import CLOCK_RUNNING, DECIDED, MOVES, PROPOSED  # derived from the tables


def timeline(dossier, *, for_facility):
    events = AuditEvent.objects.filter(dossier=dossier).select_related("actor")
    if for_facility:
        events = events.filter(visible_to_facility=True)
    return events.order_by("created_at", "pk")


def public_timeline(dossier):
    """Steps only, for anyone holding the receipt: no names, notes or messages."""
    return (
        AuditEvent.objects.filter(dossier=dossier, visible_to_facility=True)
        .exclude(action__startswith="comment.")
        .exclude(action__startswith="document.")
        .exclude(action__startswith="account.")
        .only("action", "to_status", "created_at")
        .order_by("created_at", "pk")
    )


def document_versions(dossier):
    return (
        Document.objects.filter(dossier=dossier)
        .select_related("uploaded_by")
        .order_by("kind", "-uploaded_at")
    )


def dossier_search(text):
    """Dossier code, facility name, certificate number or tax code containing `text`,
    whatever its case and diacritics ("tam duc" finds "Nhà thuốc Tâm Đức").

    The facility's fields are searched in a subquery of their own, which PostgreSQL answers
    from the trigram indexes instead of folding every row of a join.
    """
    text = text.strip()
    wanted = fold(text)
    condition = Q(Contains(Folded("name"), wanted)) | Q(
        Contains(Folded("certificate_number"), wanted)
    )
    if any(character.isdigit() for character in text):
        # A tax code is digits only: any other text would only cost an index scan.
        condition |= Q(tax_code__contains=text)
    facilities = Facility.objects.filter(condition).values("pk")
    return Q(facility__in=facilities) | Q(code__icontains=text)


# The reviewer's queue tabs.
QUEUE_TABS = ("new", "waiting", "due_soon", "overdue", "proposed", "decided", "all")


def due_soon_limit(today=None):
    today = today or timezone.localdate()
    return add_working_days(today, settings.DOSSIER_DUE_SOON_WORKING_DAYS)


def queue_filter(tab, today=None):
    today = today or timezone.localdate()
    return {
        "new": Q(status__in=MOVES["propose_approval"].sources),
        "waiting": Q(status__in=MOVES["respond"].sources),
        "due_soon": Q(
            status__in=CLOCK_RUNNING, due_date__gte=today, due_date__lte=due_soon_limit(today)
        ),
        "overdue": Q(status__in=CLOCK_RUNNING, due_date__lt=today),
        "proposed": Q(status__in=PROPOSED),
        "decided": Q(status__in=DECIDED),
        "all": ~Q(status__in=MOVES["submit"].sources),
    }[tab]


def queue_counts(queryset, today=None):
    """Every tab's count in one query."""
    return queryset.aggregate(
        **{tab: Count("pk", filter=queue_filter(tab, today)) for tab in QUEUE_TABS}
    )


def guidance_for(*province_ids):
    """The guidance PDFs handed over with an account in these provinces (and shared ones)."""
    return GuidanceDocument.objects.filter(
        Q(province__isnull=True) | Q(province_id__in=province_ids), active=True
    )

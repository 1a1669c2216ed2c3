"""Reads used in more than one place."""

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.db.models.lookups import Contains
from django.utils import timezone

from .models import AuditEvent, Document, Facility, GuidanceDocument
from .search import Folded, dossier_code, fold
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
        # Every field the timeline template reads, or each row costs a query of its own.
        .only("action", "from_status", "to_status", "created_at", "visible_to_facility")
        .order_by("created_at", "pk")
    )


def document_versions(dossier):
    return (
        Document.objects.filter(dossier=dossier)
        .select_related("uploaded_by")
        .order_by("kind", "-uploaded_at")
    )


MIN_SEARCH_LENGTH = 3
# A search matching more facilities than this is left to the database as a subquery.
MATCHED_FACILITIES = 500


def dossier_search(text):
    """An exact dossier code, typed in any case and with or without its dashes; otherwise
    facility name, certificate number or tax code containing `text`, whatever its case and
    diacritics ("tam duc" finds "Nhà thuốc Tâm Đức").

    A code goes straight to the code's unique index. The facility's fields are searched in a
    query of their own, which PostgreSQL answers from the trigram indexes; the dossiers are
    then reached through their facility's index, never by reading the province's dossiers.
    """
    text = text.strip()
    if code := dossier_code(text):
        return Q(code=code)
    wanted = fold(text)
    if len(wanted) < MIN_SEARCH_LENGTH:
        # Too short for a trigram: it would read every facility and match most of them.
        return Q(pk__in=[])
    condition = Q(Contains(Folded("name"), wanted)) | Q(
        Contains(Folded("certificate_number"), wanted)
    )
    if any(character.isdigit() for character in text):
        # A tax code is digits only: any other text would only cost an index scan.
        condition |= Q(tax_code__contains=text)
    facilities = Facility.objects.filter(condition)
    # Matched once, here, rather than once in every tab's count and again for the rows.
    found = list(facilities.order_by().values_list("pk", flat=True)[: MATCHED_FACILITIES + 1])
    if len(found) > MATCHED_FACILITIES:
        return Q(facility__in=facilities.values("pk"))
    return Q(facility__in=found)


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


# A tab's count is exact up to this many pages; beyond, the tab says "1000+" and the
# paginator stops there: nobody pages through a thousand closed dossiers, they search.
COUNTED_PAGES = 40


def count_cap():
    return settings.PAGE_SIZE * COUNTED_PAGES


def capped_counts(querysets):
    """{name: number of rows, at most count_cap() + 1} for each queryset, in one query.

    Each count stops reading at the cap, so a tab of closed history costs the same at
    100,000 dossiers as at 2,000; a count above count_cap() means "more than that".
    """
    if not querysets:
        return {}
    limit = count_cap() + 1
    parts, params = [], []
    for queryset in querysets.values():
        try:
            sql, part_params = queryset.order_by().values("pk")[:limit].query.sql_with_params()
        except EmptyResultSet:  # a condition that can match nothing, such as `pk__in=[]`
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def queue_counts(queryset, today=None):
    """Every tab's count, capped, in one query."""
    return capped_counts({tab: queryset.filter(queue_filter(tab, today)) for tab in QUEUE_TABS})


def guidance_for(*province_ids):
    """The guidance PDFs handed over with an account in these provinces (and shared ones)."""
    return GuidanceDocument.objects.filter(
        Q(province__isnull=True) | Q(province_id__in=province_ids), active=True
    )

"""What the Sở's and Viettel's screens share: queue paging and htmx, and their actions."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from ..errors import NotAllowed, WorkflowError
from ..models import Apology, Commune, DossierStatus, Facility, Province, Vendor
from ..permissions import get_dossier_for_staff
from ..selectors import CLOCK_RUNNING, count_cap, due_soon_limit

# Soonest due first; dossiers never submitted (no due date) last on every database.
QUEUE_ORDER = (F("due_date").asc(nulls_last=True), "pk")


def queue_rows(queryset):
    """The columns every staff queue shows, fetched in the page's one query."""
    return queryset.select_related(
        "facility", "facility__commune", "facility__vendor", "account"
    ).order_by(*QUEUE_ORDER)


def mark_due(rows, today=None):
    """Give each row a `due_class` (overdue / due-soon) for the due-date column, and the
    labels of its status and facility kind, looked up once for the page rather than through
    `get_…_display` (which rebuilds the choices for every call) in every row."""
    today = today or timezone.localdate()
    limit = due_soon_limit(today)
    statuses = dict(DossierStatus.choices)
    kinds = dict(Facility.Kind.choices)
    for dossier in rows:
        dossier.due_class = ""
        if dossier.status in CLOCK_RUNNING and dossier.due_date:
            if dossier.due_date < today:
                dossier.due_class = "overdue"
            elif dossier.due_date <= limit:
                dossier.due_class = "due-soon"
        dossier.status_label = statuses.get(dossier.status, dossier.status)
        dossier.kind_label = kinds.get(dossier.facility.kind, dossier.facility.kind)
    return rows


def mark_apologies(rows):
    """Give each row an `apology_waiting` flag: a drafted apology the reviewer has not sent.

    Asked for the page's rows only, so it costs the same however many apologies wait in
    the province."""
    running = [dossier.pk for dossier in rows if dossier.status in CLOCK_RUNNING]
    waiting = set(
        Apology.objects.filter(dossier__in=running, sent_at__isnull=True).values_list(
            "dossier_id", flat=True
        )
        if running
        else ()
    )
    for dossier in rows:
        dossier.apology_waiting = dossier.pk in waiting
    return rows


class CountedPaginator(Paginator):
    """A paginator told its count (the tab's capped count, already known) instead of
    counting the rows again. Past count_cap() it offers only the first pages; `more` says
    there are rows beyond them."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.more = count > count_cap()
        self.known_count = min(count, count_cap())

    @cached_property
    def count(self):
        return self.known_count

    @property
    def pages_label(self):
        return f"{self.num_pages}+" if self.more else str(self.num_pages)


def paginate(request, queryset, *, count):
    """The requested page of `queryset`, which holds `count` rows (capped)."""
    page = CountedPaginator(queryset, settings.PAGE_SIZE, count=count).get_page(
        request.GET.get("page")
    )
    page.object_list = mark_due(list(page.object_list))
    return page


def tab_list(tabs, counts):
    """[(name, label, count)] for the tab bar; a count past the cap reads "1000+"."""
    cap = count_cap()
    return [
        (name, label, counts[name] if counts[name] <= cap else f"{cap}+") for name, label in tabs
    ]


# The filter form's drop-down lists (some 160 options) are rendered once and kept in the
# cache; editing a commune, province or vendor starts a new version. Units loaded by a
# command in another process reach the lists within the hour at the latest.
FILTER_CACHE_SECONDS = 3600
FILTER_VERSION_KEY = "queue-filters:version"


@receiver([post_save, post_delete], sender=Commune, dispatch_uid="queue-filters-commune")
@receiver([post_save, post_delete], sender=Province, dispatch_uid="queue-filters-province")
@receiver([post_save, post_delete], sender=Vendor, dispatch_uid="queue-filters-vendor")
def filter_choices_changed(**kwargs):
    cache.set(FILTER_VERSION_KEY, timezone.now().timestamp(), None)


def rendered_filters(form, provinces):
    """The filter form's fields as HTML, one `<p>` each; a list with a valid choice comes
    from the cache."""
    version = cache.get(FILTER_VERSION_KEY, 0)
    scope = "-".join(str(pk) for pk in sorted(provinces))
    fields = {}
    keys = {}
    for field in form:
        if hasattr(field.field, "choices") and not field.errors:
            keys[field.name] = (
                f"queue-filters:{version}:{get_language()}:{scope}:{field.name}:{field.value()}"
            )
    cached = cache.get_many(keys.values())
    fresh = {}
    for field in form:
        key = keys.get(field.name)
        html = cached.get(key) if key else None
        if html is None:
            html = format_html("<p>{}{}</p>", field.label_tag(), field.as_widget())
            if key:
                fresh[key] = str(html)
        fields[field.name] = mark_safe(html)
    if fresh:
        cache.set_many(fresh, FILTER_CACHE_SECONDS)
    return list(fields.values())


def querystring_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def render_queue(request, template, context):
    """The whole page, or only its results for htmx filtering (not for history restores)."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, f"{template}#results" if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def dossier_actions(show, url_name):
    """The decorator for the POST actions of one staff dossier page.

    An action is written as `perform(request, dossier, data)`: it calls the service with the
    form's cleaned data and returns the success message. `@action(*roles, form=..., name=...,
    invalid=...)` adds the rest, the same for every action: the dossier fetched for the user
    (404 outside their province, 403 for a wrong role), the form bound to the POST, then
    back to the page (`url_name`) with the message, or, when the form is invalid (message
    `invalid`) or the service refuses, the page again through `show(request, dossier,
    **{name: form})` with what was typed.
    """

    def action(*roles, form, name, invalid):
        def decorate(perform):
            @login_required
            @require_POST
            @wraps(perform)
            def view(request, pk):
                dossier = get_dossier_for_staff(request.user, pk, *roles)
                bound = form(request.POST)

                def page():
                    return show(request, dossier, **{name: bound})

                if not bound.is_valid():
                    messages.error(request, invalid)
                    return page()
                try:
                    message = perform(request, dossier, bound.cleaned_data)
                except NotAllowed as error:
                    raise PermissionDenied(error.message) from error
                except WorkflowError as error:
                    messages.error(request, error.message)
                    return page()
                messages.success(request, message)
                return redirect(url_name, pk=dossier.pk)

            return view

        return decorate

    return action

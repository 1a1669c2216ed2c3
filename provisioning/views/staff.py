"""What the Sở's and Viettel's screens share: queue paging and htmx, and their actions."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from ..errors import NotAllowed, WorkflowError
from ..permissions import get_dossier_for_staff
from ..selectors import CLOCK_RUNNING, due_soon_limit

# Soonest due first; dossiers never submitted (no due date) last on every database.
QUEUE_ORDER = (F("due_date").asc(nulls_last=True), "pk")


def queue_rows(queryset):
    """The columns every staff queue shows, fetched in the page's one query."""
    return queryset.select_related(
        "facility", "facility__commune", "facility__vendor", "account"
    ).order_by(*QUEUE_ORDER)


def mark_due(rows, today=None):
    """Give each row a `due_class` (overdue / due-soon) for the due-date column."""
    today = today or timezone.localdate()
    limit = due_soon_limit(today)
    for dossier in rows:
        dossier.due_class = ""
        if dossier.status in CLOCK_RUNNING and dossier.due_date:
            if dossier.due_date < today:
                dossier.due_class = "overdue"
            elif dossier.due_date <= limit:
                dossier.due_class = "due-soon"
    return rows


def paginate(request, queryset):
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    mark_due(page.object_list)
    return page


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
    **{name: form})` with what was typed. `shown(data)` may give the form to show instead.
    """

    def action(*roles, form, name, invalid, shown=None):
        def decorate(perform):
            @login_required
            @require_POST
            @wraps(perform)
            def view(request, pk):
                dossier = get_dossier_for_staff(request.user, pk, *roles)
                bound = form(request.POST)

                def page():
                    again = shown(request.POST) if shown else bound
                    return show(request, dossier, **{name: again})

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

"""Staff screens of monitoring: the activity-export import, the silent-accounts list."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from import_export.tmp_storages import TempFolderStorage

from ..models import Role
from ..permissions import provinces_for
from .activity import ActivityFileError, activity_import, build_dataset, default_mapping, read_rows
from .activity_forms import ActivityUploadForm, ColumnMappingForm
from .models import MonitoringStatus
from .permissions import key_provinces
from .selectors import SILENT_STATUSES, monitored_accounts

SESSION_KEY = "monitoring_activity_upload"
# The Sở Y tế imports its own province's activity.
IMPORT_ROLES = (Role.REVIEWER, Role.APPROVER)


def import_provinces(user):
    provinces = {p for role in IMPORT_ROLES for p in provinces_for(user, role)}
    if not provinces:
        raise PermissionDenied
    return provinces


def _stored(request):
    """(upload info, headers, rows) of the file this user uploaded last, or None."""
    upload = request.session.get(SESSION_KEY)
    if not upload:
        return None
    try:
        content = TempFolderStorage(name=upload["name"], read_mode="rb").read()
        headers, rows = read_rows(content, upload["filename"])
    except (OSError, ActivityFileError):
        return None
    return upload, headers, rows


def _forget(request):
    upload = request.session.pop(SESSION_KEY, None)
    if upload:
        try:
            TempFolderStorage(name=upload["name"]).remove()
        except OSError:
            pass


@never_cache
@login_required
def activity_import_view(request):
    """Upload → columns → preview (nothing saved) → confirm; each step is a POST with `step`."""
    provinces = import_provinces(request.user)
    step = request.POST.get("step") if request.method == "POST" else None
    context = {"step": "upload"}
    if step == "upload":
        form = ActivityUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                headers, _rows = read_rows(content, upload.name)
            except ActivityFileError as exc:
                form.add_error("file", str(exc))
            else:
                _forget(request)
                storage = TempFolderStorage()
                storage.save(content)  # a new temporary file, opened in binary mode
                request.session[SESSION_KEY] = {
                    "name": storage.name,
                    "filename": upload.name,
                    "system": form.cleaned_data["system"],
                }
                mapping = ColumnMappingForm(
                    headers=headers, initial=ColumnMappingForm.initial_for(default_mapping(headers))
                )
                return render(
                    request,
                    "monitoring/activity_import.html",
                    {"step": "columns", "mapping": mapping, "filename": upload.name},
                )
        context["form"] = form
    elif step in ("preview", "confirm"):
        stored = _stored(request)
        if stored is None:
            messages.error(request, _("Không còn tệp đã tải lên; hãy tải tệp lên lại."))
            return redirect("monitoring:activity_import")
        upload, headers, rows = stored
        mapping = ColumnMappingForm(request.POST, headers=headers)
        if mapping.is_valid():
            try:
                dataset = build_dataset(headers, rows, mapping.mapping())
            except ActivityFileError as exc:
                mapping.add_error(None, str(exc))
            else:
                summary = activity_import(
                    dataset,
                    system=upload["system"],
                    provinces=provinces,
                    dry_run=step == "preview",
                )
                if step == "confirm" and not summary.has_errors:
                    _forget(request)
                context = {"step": "result" if step == "confirm" else "preview"}
                context.update(summary=summary, mapping=mapping, filename=upload["filename"])
                return render(request, "monitoring/activity_import.html", context)
        context = {"step": "columns", "mapping": mapping, "filename": upload["filename"]}
    else:
        context["form"] = ActivityUploadForm()
    return render(request, "monitoring/activity_import.html", context)


@login_required
def silent_accounts_view(request):
    """Accounts late, silent or due for locking in the user's provinces (or those of one
    status), the longest quiet first; searchable by code or name, paginated."""
    provinces = key_provinces(request.user)
    wanted = request.GET.get("status", "")
    statuses = (wanted,) if wanted in MonitoringStatus.values else SILENT_STATUSES
    text = request.GET.get("q", "")[:100]
    states = Paginator(
        monitored_accounts(provinces, statuses=statuses, text=text), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    base_query = urlencode(
        {name: value for name, value in (("status", wanted), ("q", text)) if value}
    )
    return render(
        request,
        "monitoring/silent_accounts.html",
        {
            "states": states,
            "page": states,
            "status": wanted if wanted in MonitoringStatus.values else "",
            "statuses": MonitoringStatus.choices,
            "q": text,
            "base_query": base_query,
        },
    )

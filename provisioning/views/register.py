"""The Sở Y tế's register screens: the entries, the upload with its preview and confirmation,
the report of an import, and the review list where staff place what the import could not."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..ratelimit import client_ip
from ..register.forms import ChooseCommuneForm, ColumnMappingForm, RegisterUploadForm
from ..register.models import RegisterImportRow
from ..register.permissions import (
    get_register_entry_for_staff,
    get_register_import_for_staff,
    register_provinces,
)
from ..register.resources import RegisterFileError, guess_header, read_table
from ..register.selectors import register_entries, register_imports
from ..register.services import (
    register_entry_choose_commune,
    register_import_confirm,
    register_import_set_columns,
    register_import_upload,
    report_csv,
    run_import,
)
from .staff import querystring_without

Outcome = RegisterImportRow.Outcome


def _page(request, items):
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _outcome_filter(request):
    outcome = request.GET.get("ket-qua", "")
    return outcome if outcome in Outcome.values else ""


@login_required
def entries(request):
    provinces = register_provinces(request.user)
    text = request.GET.get("q", "")
    page = _page(request, register_entries(provinces, text=text))
    return render(
        request,
        "register/entries.html",
        {
            "page": page,
            "q": text,
            "base_query": querystring_without(request, "page"),
            "awaiting": register_entries(provinces, awaiting_commune=True).count(),
        },
    )


@login_required
def review(request):
    provinces = register_provinces(request.user)
    text = request.GET.get("q", "")
    page = _page(request, register_entries(provinces, text=text, awaiting_commune=True))
    for entry in page.object_list:
        entry.form = ChooseCommuneForm(entry=entry, prefix=f"e{entry.pk}")
    return render(
        request,
        "register/review.html",
        {"page": page, "q": text, "base_query": querystring_without(request, "page")},
    )


@login_required
@require_POST
def choose_commune(request, pk):
    entry = get_register_entry_for_staff(request.user, pk)
    form = ChooseCommuneForm(request.POST, entry=entry, prefix=f"e{entry.pk}")
    if form.is_valid():
        register_entry_choose_commune(
            entry=entry,
            commune=form.cleaned_data["commune"],
            actor=request.user,
            ip=client_ip(request),
        )
        messages.success(
            request,
            _("Đã chọn %(commune)s cho %(name)s.")
            % {"commune": form.cleaned_data["commune"].name, "name": entry.name},
        )
    else:
        messages.error(request, _("Hãy chọn một xã, phường trong danh sách."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "register:review"
    return redirect(back)


@login_required
def upload(request):
    provinces = register_provinces(request.user)
    form = RegisterUploadForm(request.POST or None, request.FILES or None, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        register_import = register_import_upload(
            province=form.cleaned_data["province"],
            uploaded_file=form.cleaned_data["file"],
            actor=request.user,
        )
        return redirect("register:preview", register_import.pk)
    page = _page(request, register_imports(provinces))
    return render(request, "register/upload.html", {"form": form, "page": page})


@login_required
def preview(request, pk):
    register_import = get_register_import_for_staff(request.user, pk)
    if register_import.status == register_import.Status.DONE:
        return redirect("register:import", register_import.pk)
    if request.method == "POST":
        try:
            register_import_confirm(
                register_import=register_import, actor=request.user, ip=client_ip(request)
            )
        except RegisterFileError as exc:
            messages.error(request, str(exc))
            return redirect("register:preview", register_import.pk)
        messages.success(request, _("Đã nhập sổ cấp phép."))
        return redirect("register:import", register_import.pk)
    outcome = _outcome_filter(request)
    try:
        counts, rows = run_import(
            province=register_import.province,
            content=bytes(register_import.content),
            file_name=register_import.file_name,
            dry_run=True,
            columns=register_import.columns,
        )
        file_error = ""
    except RegisterFileError as exc:
        counts, rows, file_error = {}, [], str(exc)
    if outcome:
        rows = [row for row in rows if row.outcome == outcome]
    return render(
        request,
        "register/preview.html",
        {
            "register_import": register_import,
            "counts": counts,
            "file_error": file_error,
            "page": _page(request, rows),
            "outcome": outcome,
            "outcomes": Outcome.choices,
            "base_query": querystring_without(request, "page"),
        },
    )


@login_required
def columns(request, pk):
    """The column-mapping step: which row is the header, which field each column holds."""
    register_import = get_register_import_for_staff(request.user, pk)
    if register_import.status == register_import.Status.DONE:
        return redirect("register:import", register_import.pk)
    try:
        header_row, headers, guessed = guess_header(
            read_table(bytes(register_import.content), register_import.file_name)
        )
    except RegisterFileError as exc:
        messages.error(request, str(exc))
        return redirect("register:upload")
    saved = register_import.columns
    if saved.get("row") == header_row:
        guessed = {int(column): name for column, name in saved["fields"].items()}
    form = ColumnMappingForm(request.POST or None, headers=headers, initial_fields=guessed)
    if request.method == "POST" and form.is_valid():
        register_import_set_columns(
            register_import=register_import,
            header_row=header_row,
            fields=form.mapping(),
            actor=request.user,
        )
        return redirect("register:preview", register_import.pk)
    return render(
        request,
        "register/columns.html",
        {"register_import": register_import, "form": form, "header_row": header_row},
    )


@login_required
def import_detail(request, pk):
    register_import = get_register_import_for_staff(request.user, pk)
    if register_import.status != register_import.Status.DONE:
        return redirect("register:preview", register_import.pk)
    outcome = _outcome_filter(request)
    rows = register_import.rows.all()
    if outcome:
        rows = rows.filter(outcome=outcome)
    return render(
        request,
        "register/import.html",
        {
            "register_import": register_import,
            "page": _page(request, rows),
            "outcome": outcome,
            "outcomes": Outcome.choices,
            "base_query": querystring_without(request, "page"),
        },
    )


@login_required
def report(request, pk):
    register_import = get_register_import_for_staff(request.user, pk)
    response = HttpResponse(
        "\ufeff" + report_csv(register_import.rows.all()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ket-qua-nhap-{pk}.csv"'
    return response

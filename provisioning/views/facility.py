"""The facility's screens: its profile, its dossier, and receiving the account."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..errors import WorkflowError
from ..forms import (
    CommentForm,
    ConfirmPasswordChangeForm,
    DossierForm,
    FacilityForm,
    RepresentativeForm,
    ResponseItemForm,
    WithdrawForm,
)
from ..letters import request_letter
from ..models import (
    DocumentKind,
    Dossier,
    Letter,
    NationalAccount,
    SupportContact,
)
from ..monitoring.selectors import calendar_prefetch
from ..permissions import get_dossier_for_owner, get_facility_for_owner, is_staff_member
from ..ratelimit import client_ip
from ..selectors import document_versions, guidance_for, timeline
from ..services import accounts, dossiers, facilities
from ..services.letters import request_context
from ..workflow import allows, change_check_blocks_completion, profile_locked


def facility_only(view):
    """Staff have their own screens; a facility page is for the facility's people."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _contacts(province_ids):
    return SupportContact.objects.filter(province_id__in=province_ids).select_related("province")


@facility_only
def home(request):
    facilities = list(
        request.user.facilities.select_related("province", "commune", "vendor").prefetch_related(
            Prefetch("dossiers", queryset=Dossier.objects.order_by("-created_at")),
            Prefetch(
                "accounts",
                queryset=NationalAccount.objects.select_related("monitoring")
                .prefetch_related(calendar_prefetch(timezone.localdate()))
                .order_by("-created_at"),
            ),
        )
    )
    for facility in facilities:
        # The one dossier in progress, if any: a second one would be refused.
        facility.open_dossier = next((d for d in facility.dossiers.all() if d.is_open), None)
    return render(
        request,
        "facility/home.html",
        {
            "facilities": facilities,
            "contacts": _contacts({f.province_id for f in facilities}),
        },
    )


def _representative_form(request):
    """The owner's name and position, asked with the facility's profile (letters print them
    where the representative signs)."""
    return RepresentativeForm(
        request.POST or None,
        prefix="representative",
        initial=RepresentativeForm.initial_for(request.user),
    )


@facility_only
def facility_create(request):
    form = FacilityForm(request.POST or None, initial={"email": request.user.email})
    person_form = _representative_form(request)
    if request.method == "POST" and form.is_valid() and person_form.is_valid():
        facility = facilities.facility_create(
            owner=request.user,
            fields=form.cleaned_data,
            representative=person_form.person,
            ip=client_ip(request),
        )
        messages.success(request, _("Đã lưu thông tin cơ sở “%(name)s”.") % {"name": facility})
        return redirect("facility:home")
    return render(
        request, "facility/facility_form.html", {"form": form, "person_form": person_form}
    )


@facility_only
def facility_edit(request, pk):
    facility = get_facility_for_owner(request.user, pk)
    locked = profile_locked(facility.dossiers.values_list("status", flat=True))
    form = FacilityForm(request.POST or None, instance=facility)
    person_form = _representative_form(request)
    if request.method == "POST" and form.is_valid() and person_form.is_valid():
        try:
            facilities.facility_update(
                facility=get_facility_for_owner(request.user, pk),
                actor=request.user,
                fields=form.cleaned_data,
                representative=person_form.person,
                ip=client_ip(request),
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã cập nhật thông tin cơ sở."))
            return redirect("facility:home")
    return render(
        request,
        "facility/facility_form.html",
        {"form": form, "person_form": person_form, "facility": facility, "locked": locked},
    )


@facility_only
@require_POST
def dossier_create(request, pk):
    facility = get_facility_for_owner(request.user, pk)
    try:
        dossier = dossiers.dossier_create(
            facility=facility, actor=request.user, ip=client_ip(request)
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("facility:home")
    return redirect("facility:dossier_edit", dossier.pk)


def _attach_files(request, dossier, form):
    """Save every file that passed its checks; report the others next to their field.

    A bad file must not cost the facility the good ones it sent with it.
    """
    for name in DossierForm.FILE_FIELDS:
        upload = form.cleaned_data.get(name) if name not in form.errors else None
        if not upload:
            continue
        try:
            dossiers.document_add(
                dossier=dossier,
                actor=request.user,
                kind=name,
                upload=upload,
                checked=upload.checked,
                ip=client_ip(request),
            )
        except WorkflowError as exc:
            form.add_error(name, exc.message)


@facility_only
def dossier_edit(request, pk):
    dossier = get_dossier_for_owner(request.user, pk)
    if not allows(dossier, "submit"):
        return redirect("facility:dossier", dossier.pk)
    form = DossierForm(request.POST or None, request.FILES or None, initial={"note": dossier.note})
    if request.method == "POST":
        form.is_valid()
        _attach_files(request, dossier, form)
        if "note" in form.cleaned_data:
            dossiers.dossier_update_draft(
                dossier=dossier, actor=request.user, note=form.cleaned_data["note"]
            )
        if not form.errors:
            if request.POST.get("action") == "submit":
                return _submit(request, dossier)
            messages.success(request, _("Đã lưu bản nháp."))
            return redirect("facility:dossier_edit", dossier.pk)
    return render(
        request,
        "facility/dossier_edit.html",
        {
            "dossier": dossier,
            "form": form,
            "documents": dossiers.current_documents(dossier).order_by("kind", "uploaded_at"),
            "missing": [DocumentKind(kind).label for kind in dossiers.missing_documents(dossier)],
        },
    )


@facility_only
def dossier_request_letter(request, pk):
    """The request letter filled from the draft, for the facility to print, sign and upload."""
    dossier = get_dossier_for_owner(request.user, pk)
    context = request_context(dossier, today=timezone.localdate())
    response = HttpResponse(request_letter(context), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="don-de-nghi.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _submit(request, dossier):
    try:
        dossier = dossiers.dossier_submit(
            dossier=dossier, actor=request.user, ip=client_ip(request)
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("facility:dossier_edit", dossier.pk)
    messages.success(
        request,
        _("Đã nộp hồ sơ %(code)s. Hạn trả kết quả: %(due)s.")
        % {"code": dossier.code, "due": dossier.due_date.strftime("%d/%m/%Y")},
    )
    return redirect("facility:dossier_receipt", dossier.pk)


@facility_only
@require_POST
def dossier_submit(request, pk):
    return _submit(request, get_dossier_for_owner(request.user, pk))


def _detail(request, dossier, open_items=None, status=200):
    if open_items is None:
        open_items = [
            (item, ResponseItemForm(prefix=f"item-{item.pk}"))
            for item in dossier.info_items.filter(answered_at__isnull=True)
        ]
    return render(
        request,
        "facility/dossier_detail.html",
        {
            "dossier": dossier,
            "facility": dossier.facility,
            "events": timeline(dossier, for_facility=True),
            "documents": document_versions(dossier),
            "open_items": open_items,
            "answered_items": dossier.info_items.filter(answered_at__isnull=False),
            "messages_list": dossier.comments.filter(internal=False).select_related("author"),
            "comment_form": CommentForm(),
            "account": NationalAccount.objects.filter(dossier=dossier).first(),
            "letters": dossier.letters.exclude(kind__in=Letter.STAFF_ONLY_KINDS),
            "contacts": _contacts([dossier.province_id]),
        },
        status=status,
    )


@facility_only
def dossier_detail(request, pk):
    return _detail(request, get_dossier_for_owner(request.user, pk))


@facility_only
@require_POST
def dossier_respond(request, pk):
    dossier = get_dossier_for_owner(request.user, pk)
    items = list(dossier.info_items.filter(answered_at__isnull=True))
    forms = [
        (item, ResponseItemForm(request.POST, request.FILES, prefix=f"item-{item.pk}"))
        for item in items
    ]
    answers, failed = {}, False
    for item, form in forms:
        if not form.is_valid():
            failed = True
            continue
        document = None
        upload = form.cleaned_data.get("file")
        if upload:
            kind = item.target if item.target in DossierForm.FILE_FIELDS else "other"
            try:
                document = dossiers.document_add(
                    dossier=dossier,
                    actor=request.user,
                    kind=kind,
                    upload=upload,
                    checked=upload.checked,
                    ip=client_ip(request),
                )
            except WorkflowError as exc:
                form.add_error("file", exc.message)
                failed = True
                continue
        answers[item.pk] = (form.cleaned_data["response"], document)
    if not failed:
        try:
            dossiers.dossier_respond(
                dossier=dossier, actor=request.user, answers=answers, ip=client_ip(request)
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi nội dung bổ sung tới Sở Y tế."))
            return redirect("facility:dossier", dossier.pk)
    else:
        messages.error(request, _("Chưa gửi được: hãy xem lỗi ở từng nội dung bên dưới."))
    return _detail(request, dossier, open_items=forms, status=400)


@facility_only
@require_POST
def dossier_withdraw(request, pk):
    dossier = get_dossier_for_owner(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect("facility:dossier", dossier.pk)
    try:
        dossiers.dossier_withdraw(
            dossier=dossier,
            actor=request.user,
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã rút hồ sơ."))
    return redirect("facility:dossier", dossier.pk)


@facility_only
@require_POST
def dossier_message(request, pk):
    dossier = get_dossier_for_owner(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            dossiers.comment_add(
                dossier=dossier,
                actor=request.user,
                body=form.cleaned_data["body"],
                internal=False,
                ip=client_ip(request),
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi trao đổi tới Sở Y tế."))
    else:
        messages.error(request, form.errors["body"][0])
    return redirect("facility:dossier", dossier.pk)


@facility_only
def dossier_receipt(request, pk):
    dossier = get_dossier_for_owner(request.user, pk)
    if not dossier.code:
        return redirect("facility:dossier_edit", dossier.pk)
    return render(
        request,
        "facility/receipt.html",
        {"dossier": dossier, "documents": dossiers.current_documents(dossier)},
    )


@facility_only
@never_cache
def account_reveal(request, pk):
    """The initial password, once: GET warns, POST shows it (so a reload cannot)."""
    dossier = get_dossier_for_owner(request.user, pk)
    account = NationalAccount.objects.filter(dossier=dossier, handed_over_at__isnull=False).first()
    if account is None:
        messages.error(request, _("Tài khoản chưa được bàn giao."))
        return redirect("facility:dossier", dossier.pk)
    password = None
    if request.method == "POST":
        try:
            password = accounts.account_reveal_password(
                account=account, actor=request.user, ip=client_ip(request)
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("facility:dossier", dossier.pk)
    return render(
        request,
        "facility/account.html",
        {
            "dossier": dossier,
            "account": account,
            "password": password,
            "confirm_form": ConfirmPasswordChangeForm(),
            "can_confirm_change": allows(dossier, "confirm_password_change"),
            "completion_blocked": change_check_blocks_completion(account),
            "guidance": guidance_for(dossier.province_id),
        },
    )


@facility_only
@require_POST
def account_confirm(request, pk):
    """The facility changed the initial password. Only if it ticks the consent box does the
    portal first try the initial password (in a task); otherwise the copy is erased now."""
    dossier = get_dossier_for_owner(request.user, pk)
    form = ConfirmPasswordChangeForm(request.POST)
    check = form.is_valid() and form.cleaned_data["check_initial_password"]
    try:
        if check:
            accounts.account_request_change_check(
                dossier=dossier, actor=request.user, ip=client_ip(request)
            )
        else:
            accounts.dossier_confirm_password_change(
                dossier=dossier, actor=request.user, ip=client_ip(request)
            )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        if check:
            messages.success(
                request,
                _(
                    "Cảm ơn. Cổng sẽ thử đăng nhập bằng mật khẩu ban đầu; khi mật khẩu đó không "
                    "còn dùng được, hồ sơ hoàn thành và Cổng xoá mật khẩu ban đầu."
                ),
            )
        else:
            messages.success(
                request,
                _("Cảm ơn. Cổng đã xoá mật khẩu ban đầu; từ nay chỉ cơ sở biết mật khẩu."),
            )
    return redirect("facility:dossier", dossier.pk)

"""The Sở Y tế's screens: the reviewer's and approver's queue, the dossier page, its actions."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..errors import NotAllowed, WorkflowError
from ..forms import INFO_TARGETS, CommentForm, DecideForm, InfoItemFormSet, ProposeForm
from ..models import (
    Commune,
    Dossier,
    DossierStatus,
    Facility,
    InfoRequestItem,
    Role,
    Vendor,
)
from ..permissions import get_dossier_for_staff, has_role, require_role
from ..selectors import QUEUE_TABS, document_versions, due_soon_limit, queue_counts, queue_filter
from ..selectors import timeline as dossier_timeline
from ..services.dossiers import (
    comment_add,
    dossier_decide,
    dossier_propose,
    dossier_request_info,
)

REVIEW_ROLES = (Role.REVIEWER, Role.APPROVER)
TAB_LABELS = {
    "new": gettext_lazy("Mới nộp"),
    "waiting": gettext_lazy("Chờ cơ sở bổ sung"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "overdue": gettext_lazy("Quá hạn"),
    "proposed": gettext_lazy("Chờ lãnh đạo duyệt"),
    "decided": gettext_lazy("Đã quyết định"),
    "all": gettext_lazy("Tất cả"),
}
# Statuses whose clock runs: only these can be late or nearly late.
CLOCK_RUNNING = {
    DossierStatus.SUBMITTED,
    DossierStatus.PROPOSED_APPROVAL,
    DossierStatus.PROPOSED_REJECTION,
}
PROPOSED = {DossierStatus.PROPOSED_APPROVAL, DossierStatus.PROPOSED_REJECTION}
# Soonest due first; dossiers never submitted (no due date) last on every database.
QUEUE_ORDER = (F("due_date").asc(nulls_last=True), "pk")


def search_q(text):
    """Dossier code, facility name, certificate number or tax code containing `text`.

    SQLite (the demo database) folds case for ASCII only, so "tâm đức" would miss
    "Tâm Đức": the usual capitalisations are tried too. PostgreSQL needs none of them.
    """
    condition = Q()
    for variant in {text, text.lower(), text.upper(), text.title(), text.capitalize()}:
        condition |= (
            Q(code__icontains=variant)
            | Q(facility__name__icontains=variant)
            | Q(facility__certificate_number__icontains=variant)
            | Q(facility__tax_code__icontains=variant)
        )
    return condition


class QueueFilterForm(forms.Form):
    """Search and filters shared by the staff queues; every field is optional."""

    q = forms.CharField(
        label=gettext_lazy("Tìm kiếm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Mã hồ sơ, tên cơ sở, số giấy chứng nhận, mã số thuế"),
            }
        ),
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Xã, phường"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tất cả"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Loại hình"), required=False)
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị phần mềm"),
        queryset=Vendor.objects.all(),
        required=False,
        empty_label=gettext_lazy("Tất cả"),
    )
    state = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False)

    def __init__(self, *args, provinces, with_state=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(province_id__in=provinces)
        self.fields["kind"].choices = [("", _("Tất cả")), *Facility.Kind.choices]
        if with_state:
            self.fields["state"].choices = [
                ("", _("Tất cả")),
                *[(v, label) for v, label in DossierStatus.choices if v != DossierStatus.DRAFT],
            ]
        else:
            del self.fields["state"]

    def apply(self, queryset):
        """The queryset narrowed by whatever valid criteria were given."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if q := data["q"].strip():
            queryset = queryset.filter(search_q(q))
        if data["commune"]:
            queryset = queryset.filter(facility__commune=data["commune"])
        if data["kind"]:
            queryset = queryset.filter(facility__kind=data["kind"])
        if data["vendor"]:
            queryset = queryset.filter(facility__vendor=data["vendor"])
        if data.get("state"):
            queryset = queryset.filter(status=data["state"])
        return queryset

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.values())


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


def _tab(request):
    tab = request.GET.get("tab", "new")
    return tab if tab in QUEUE_TABS else "new"


def _filtered(request, provinces):
    form = QueueFilterForm(request.GET or None, provinces=provinces)
    queryset = Dossier.objects.filter(province_id__in=provinces).exclude(status=DossierStatus.DRAFT)
    return form, form.apply(queryset)


@login_required
def queue(request):
    provinces = require_role(request.user, *REVIEW_ROLES)
    tab = _tab(request)
    form, dossiers = _filtered(request, provinces)
    counts = queue_counts(dossiers)
    page = paginate(request, queue_rows(dossiers.filter(queue_filter(tab))))
    context = {
        "form": form,
        "tab": tab,
        "tabs": [(name, TAB_LABELS[name], counts[name]) for name in QUEUE_TABS],
        "page": page,
        "filters_query": querystring_without(request, "tab", "page"),
        "row_query": querystring_without(request, "page"),
    }
    return render_queue(request, "review/queue.html", context)


def _next_after(queryset, current):
    """The dossier after `current` in queue order (due date, then id)."""
    if current.due_date is None:
        later = Q(due_date__isnull=True, pk__gt=current.pk)
    else:
        later = (
            Q(due_date__gt=current.due_date)
            | Q(due_date=current.due_date, pk__gt=current.pk)
            | Q(due_date__isnull=True)
        )
    return queryset.filter(later).exclude(pk=current.pk).order_by(*QUEUE_ORDER).first()


@login_required
def next_dossier(request, pk):
    current = get_dossier_for_staff(request.user, pk, *REVIEW_ROLES)
    provinces = require_role(request.user, *REVIEW_ROLES)
    tab = _tab(request)
    _form, dossiers = _filtered(request, provinces)
    following = _next_after(dossiers.filter(queue_filter(tab)), current)
    query = querystring_without(request, "page")
    if following is None:
        messages.info(request, _("Đã hết hồ sơ trong mục “%(tab)s”.") % {"tab": TAB_LABELS[tab]})
        return redirect(f"{reverse('review:queue')}?{query}")
    return redirect(f"{reverse('review:dossier', args=[following.pk])}?{query}")


def _document_context(request, dossier):
    versions = list(document_versions(dossier))
    current = [doc for doc in versions if doc.superseded_by_id is None]
    older = [doc for doc in versions if doc.superseded_by_id is not None]
    selected = next((doc for doc in current if str(doc.pk) == request.GET.get("doc")), None)
    return {
        "documents": current,
        "old_documents": older,
        "selected_document": selected or (current[0] if current else None),
    }


def _info_items(dossier):
    labels = dict(INFO_TARGETS)
    items = list(
        InfoRequestItem.objects.filter(dossier=dossier).select_related(
            "requested_by", "response_document"
        )
    )
    for item in items:
        item.target_label = labels.get(item.target, item.target)
    return items


def _dossier_page(request, dossier, **forms_given):
    """The review page, with the forms a failed action left filled in."""
    user = request.user
    province = dossier.province_id
    is_reviewer = has_role(user, Role.REVIEWER, province)
    is_approver = has_role(user, Role.APPROVER, province)
    comments = list(dossier.comments.select_related("author"))
    waits = settings.REVIEW_WAITS_FOR_INTERCONNECTION
    confirmed = dossier.interconnection == Dossier.Interconnection.CONFIRMED
    context = {
        "dossier": dossier,
        "facility": dossier.facility,
        **_document_context(request, dossier),
        "info_items": _info_items(dossier),
        "events": dossier_timeline(dossier, for_facility=False),
        "messages_to_facility": [c for c in comments if not c.internal],
        "internal_notes": [c for c in comments if c.internal],
        "can_review": is_reviewer and dossier.status == DossierStatus.SUBMITTED,
        "can_decide": is_approver and dossier.status in PROPOSED,
        "can_comment": is_reviewer or is_approver,
        "in_review_queue": is_reviewer or is_approver,
        "approval_blocked": waits and not confirmed,
        "waits_for_interconnection": waits,
        "info_formset": forms_given.get("info_formset") or InfoItemFormSet(prefix="items"),
        "propose_form": forms_given.get("propose_form") or ProposeForm(),
        "decide_form": forms_given.get("decide_form") or DecideForm(),
        "comment_form": forms_given.get("comment_form") or CommentForm(),
        "queue_query": querystring_without(request, "doc"),
    }
    return render(request, "review/dossier.html", context)


@login_required
def dossier_detail(request, pk):
    dossier = get_dossier_for_staff(request.user, pk)
    return _dossier_page(request, dossier)


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def _done(request, dossier, message):
    messages.success(request, message)
    return redirect("review:dossier", pk=dossier.pk)


def _failed(request, dossier, error, **forms_given):
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message) from error
    messages.error(request, error.message)
    return _dossier_page(request, dossier, **forms_given)


@login_required
@require_POST
def request_info(request, pk):
    dossier = get_dossier_for_staff(request.user, pk, Role.REVIEWER)
    formset = InfoItemFormSet(request.POST, prefix="items")
    if not formset.is_valid():
        messages.error(request, _("Vui lòng kiểm tra lại các nội dung yêu cầu bổ sung."))
        return _dossier_page(request, dossier, info_formset=formset)
    items = [
        (form.cleaned_data["target"], form.cleaned_data.get("message", ""))
        for form in formset.forms
        if form.cleaned_data
    ]
    try:
        dossier_request_info(dossier=dossier, actor=request.user, items=items, ip=_ip(request))
    except WorkflowError as error:
        return _failed(request, dossier, error, info_formset=formset)
    return _done(request, dossier, _("Đã gửi yêu cầu bổ sung tới cơ sở; hồ sơ tạm dừng tính hạn."))


@login_required
@require_POST
def propose(request, pk):
    dossier = get_dossier_for_staff(request.user, pk, Role.REVIEWER)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn đề xuất cấp hoặc từ chối."))
        return _dossier_page(request, dossier, propose_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        dossier_propose(
            dossier=dossier,
            actor=request.user,
            approve=approve,
            reason="" if approve else form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            ip=_ip(request),
        )
    except WorkflowError as error:
        return _failed(request, dossier, error, propose_form=form)
    if approve:
        message = _("Đã đề xuất cấp tài khoản; hồ sơ chuyển lãnh đạo duyệt.")
    else:
        message = _("Đã đề xuất từ chối; hồ sơ chuyển lãnh đạo duyệt.")
    return _done(request, dossier, message)


DECISION_MESSAGES = {
    "approve": gettext_lazy("Đã phê duyệt hồ sơ; Chi nhánh Viettel và cơ sở đã được thông báo."),
    "reject": gettext_lazy("Đã đồng ý từ chối hồ sơ; cơ sở đã được thông báo."),
    "return": gettext_lazy("Đã trả hồ sơ lại cho chuyên viên."),
}


@login_required
@require_POST
def decide(request, pk):
    dossier = get_dossier_for_staff(request.user, pk, Role.APPROVER)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Quyết định không hợp lệ."))
        return _dossier_page(request, dossier, decide_form=form)
    decision = form.cleaned_data["decision"]
    try:
        dossier_decide(
            dossier=dossier,
            actor=request.user,
            decision=decision,
            note=form.cleaned_data["note"],
            ip=_ip(request),
        )
    except WorkflowError as error:
        return _failed(request, dossier, error, decide_form=form)
    return _done(request, dossier, DECISION_MESSAGES[decision])


@login_required
@require_POST
def comment(request, pk):
    dossier = get_dossier_for_staff(request.user, pk, *REVIEW_ROLES)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập nội dung trao đổi."))
        return _dossier_page(request, dossier, comment_form=form)
    internal = form.cleaned_data["internal"]
    try:
        comment_add(
            dossier=dossier,
            actor=request.user,
            body=form.cleaned_data["body"],
            internal=internal,
            ip=_ip(request),
        )
    except WorkflowError as error:
        return _failed(request, dossier, error, comment_form=form)
    if internal:
        message = _("Đã lưu ghi chú nội bộ.")
    else:
        message = _("Đã gửi trao đổi tới cơ sở.")
    return _done(request, dossier, message)

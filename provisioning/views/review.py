"""The Sở Y tế's screens: the reviewer's and approver's queue, the dossier page, its actions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..errors import WorkflowError
from ..forms import (
    INFO_TARGETS,
    CommentForm,
    DecideForm,
    InfoItemFormSet,
    ProposeForm,
    QueueFilterForm,
)
from ..models import (
    Dossier,
    DossierStatus,
    InfoRequestItem,
    Role,
)
from ..permissions import get_dossier_for_staff, has_role, require_role
from ..ratelimit import client_ip
from ..selectors import QUEUE_TABS, document_versions, queue_counts, queue_filter
from ..selectors import timeline as dossier_timeline
from ..services.dossiers import (
    comment_add,
    dossier_decide,
    dossier_propose,
    dossier_request_info,
)
from .staff import (
    QUEUE_ORDER,
    action_failed,
    paginate,
    querystring_without,
    queue_rows,
    render_queue,
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
PROPOSED = {DossierStatus.PROPOSED_APPROVAL, DossierStatus.PROPOSED_REJECTION}


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


def _done(request, dossier, message):
    messages.success(request, message)
    return redirect("review:dossier", pk=dossier.pk)


def _failed(request, dossier, error, **forms_given):
    return action_failed(request, error, lambda: _dossier_page(request, dossier, **forms_given))


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
        dossier_request_info(
            dossier=dossier, actor=request.user, items=items, ip=client_ip(request)
        )
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
            ip=client_ip(request),
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
            ip=client_ip(request),
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
            ip=client_ip(request),
        )
    except WorkflowError as error:
        return _failed(request, dossier, error, comment_form=form)
    if internal:
        message = _("Đã lưu ghi chú nội bộ.")
    else:
        message = _("Đã gửi trao đổi tới cơ sở.")
    return _done(request, dossier, message)

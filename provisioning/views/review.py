"""The Sở Y tế's screens: the reviewer's and approver's queue, the dossier page, its actions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..errors import WorkflowError
from ..forms import (
    INFO_TARGETS,
    ApologyForm,
    CommentForm,
    DecideForm,
    InfoItemFormSet,
    OverrideChangeCheckForm,
    ProposeForm,
    QueueFilterForm,
)
from ..models import (
    Dossier,
    InfoRequestItem,
    NationalAccount,
    Role,
)
from ..permissions import get_dossier_for_staff, has_role, require_role
from ..ratelimit import client_ip
from ..selectors import QUEUE_TABS, document_versions, queue_counts, queue_filter
from ..selectors import timeline as dossier_timeline
from ..services.accounts import account_override_change_check
from ..services.apologies import apology_send, waiting_apology
from ..services.dossiers import (
    comment_add,
    dossier_decide,
    dossier_propose,
    dossier_request_info,
)
from ..workflow import MOVES, PROPOSED, allows, change_check_blocks_completion
from .staff import (
    QUEUE_ORDER,
    dossier_actions,
    mark_apologies,
    paginate,
    querystring_without,
    queue_rows,
    render_queue,
    rendered_filters,
    tab_list,
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


def _tab(request):
    tab = request.GET.get("tab", "new")
    return tab if tab in QUEUE_TABS else "new"


def _filtered(request, provinces):
    form = QueueFilterForm(request.GET or None, provinces=provinces)
    queryset = Dossier.objects.filter(province_id__in=provinces).exclude(
        status__in=MOVES["submit"].sources
    )
    return form, form.apply(queryset)


@login_required
def queue(request):
    provinces = require_role(request.user, *REVIEW_ROLES)
    tab = _tab(request)
    form, dossiers = _filtered(request, provinces)
    counts = queue_counts(dossiers)
    page = paginate(request, queue_rows(dossiers.filter(queue_filter(tab))), count=counts[tab])
    mark_apologies(page.object_list)
    context = {
        "form": form,
        "filters": rendered_filters(form, provinces),
        "tab": tab,
        "tabs": tab_list(TAB_LABELS.items(), counts),
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
    apology = waiting_apology(dossier) if is_reviewer else None
    confirmed = dossier.interconnection == Dossier.Interconnection.CONFIRMED
    account = NationalAccount.objects.filter(dossier=dossier).first()
    context = {
        "dossier": dossier,
        "facility": dossier.facility,
        **_document_context(request, dossier),
        "info_items": _info_items(dossier),
        "events": dossier_timeline(dossier, for_facility=False),
        "messages_to_facility": [c for c in comments if not c.internal],
        "internal_notes": [c for c in comments if c.internal],
        "can_review": is_reviewer and allows(dossier, "propose_approval"),
        "can_decide": is_approver and dossier.status in PROPOSED,
        "can_comment": is_reviewer or is_approver,
        "in_review_queue": is_reviewer or is_approver,
        "approval_blocked": waits and not confirmed,
        "waits_for_interconnection": waits,
        "info_formset": forms_given.get("info_formset") or InfoItemFormSet(prefix="items"),
        "propose_form": forms_given.get("propose_form") or ProposeForm(),
        "decide_form": forms_given.get("decide_form") or DecideForm(),
        "comment_form": forms_given.get("comment_form") or CommentForm(),
        "apology": apology,
        "apology_form": forms_given.get("apology_form")
        or (
            ApologyForm(initial={"new_due_date": apology.new_due_date, "reason": apology.reason})
            if apology
            else None
        ),
        "queue_query": querystring_without(request, "doc"),
        "account": account,
        "can_override_change_check": (is_reviewer or is_approver)
        and allows(dossier, "confirm_password_change")
        and change_check_blocks_completion(account),
        "override_form": forms_given.get("override_form") or OverrideChangeCheckForm(),
    }
    return render(request, "review/dossier.html", context)


@login_required
def dossier_detail(request, pk):
    dossier = get_dossier_for_staff(request.user, pk)
    return _dossier_page(request, dossier)


action = dossier_actions(_dossier_page, "review:dossier")


@action(
    Role.REVIEWER,
    form=lambda data: InfoItemFormSet(data, prefix="items"),
    name="info_formset",
    invalid=gettext_lazy("Vui lòng kiểm tra lại các nội dung yêu cầu bổ sung."),
)
def request_info(request, dossier, rows):
    # A formset's cleaned data: one dict per row, empty for the rows left blank.
    items = [(row["target"], row.get("message", "")) for row in rows if row]
    dossier_request_info(dossier=dossier, actor=request.user, items=items, ip=client_ip(request))
    return _("Đã gửi yêu cầu bổ sung tới cơ sở; hồ sơ tạm dừng tính hạn.")


@action(
    Role.REVIEWER,
    form=ProposeForm,
    name="propose_form",
    invalid=gettext_lazy("Vui lòng chọn đề xuất cấp hoặc từ chối."),
)
def propose(request, dossier, data):
    approve = data["decision"] == "approve"
    dossier_propose(
        dossier=dossier,
        actor=request.user,
        approve=approve,
        reason="" if approve else data["reason"],
        note=data["note"],
        ip=client_ip(request),
    )
    if approve:
        return _("Đã đề xuất cấp tài khoản; hồ sơ chuyển lãnh đạo duyệt.")
    return _("Đã đề xuất từ chối; hồ sơ chuyển lãnh đạo duyệt.")


DECISION_MESSAGES = {
    "approve": gettext_lazy("Đã phê duyệt hồ sơ; Chi nhánh Viettel và cơ sở đã được thông báo."),
    "reject": gettext_lazy("Đã đồng ý từ chối hồ sơ; cơ sở đã được thông báo."),
    "return": gettext_lazy("Đã trả hồ sơ lại cho chuyên viên."),
}


@action(
    Role.APPROVER,
    form=DecideForm,
    name="decide_form",
    invalid=gettext_lazy("Quyết định không hợp lệ."),
)
def decide(request, dossier, data):
    dossier_decide(
        dossier=dossier,
        actor=request.user,
        decision=data["decision"],
        note=data["note"],
        ip=client_ip(request),
    )
    return DECISION_MESSAGES[data["decision"]]


@action(
    *REVIEW_ROLES,
    form=CommentForm,
    name="comment_form",
    invalid=gettext_lazy("Hãy nhập nội dung trao đổi."),
)
def comment(request, dossier, data):
    comment_add(
        dossier=dossier,
        actor=request.user,
        body=data["body"],
        internal=data["internal"],
        ip=client_ip(request),
    )
    if data["internal"]:
        return _("Đã lưu ghi chú nội bộ.")
    return _("Đã gửi trao đổi tới cơ sở.")


@action(
    Role.REVIEWER,
    form=ApologyForm,
    name="apology_form",
    invalid=gettext_lazy("Vui lòng kiểm tra ngày hẹn mới và lý do."),
)
def send_apology(request, dossier, data):
    apology = waiting_apology(dossier)
    if apology is None:
        raise WorkflowError(_("Hồ sơ không có phiếu xin lỗi nào chờ gửi."))
    apology_send(
        apology=apology,
        actor=request.user,
        new_due_date=data["new_due_date"],
        reason=data["reason"],
        ip=client_ip(request),
    )
    return _("Đã gửi phiếu xin lỗi và hẹn lại ngày trả kết quả tới cơ sở.")


@action(
    *REVIEW_ROLES,
    form=OverrideChangeCheckForm,
    name="override_form",
    invalid=gettext_lazy("Hãy ghi lý do cho phép hoàn thành."),
)
def override_change_check(request, dossier, data):
    account_override_change_check(
        dossier=dossier, actor=request.user, reason=data["reason"], ip=client_ip(request)
    )
    return _("Đã cho phép cơ sở xác nhận hoàn thành; lý do được lưu vào nhật ký và hồ sơ lưu.")

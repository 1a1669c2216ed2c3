"""Staff screens of monitoring: the API keys software uses to report its pushes, and the
list of accounts due for locking that their issuer confirms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..errors import NotAllowed, WorkflowError
from ..monitoring.forms import ApiKeyForm, PauseRequestForm
from ..monitoring.incidents import clock_text, repair_clock
from ..monitoring.keys import api_key_create, api_key_revoke
from ..monitoring.locks import LOCK_MOVES, account_lock_record
from ..monitoring.models import MonitoringStatus, PauseRequest
from ..monitoring.pauses import PAUSE_MOVES, pause_decide, pause_request
from ..monitoring.permissions import (
    api_keys_for,
    get_account_for_lock,
    get_account_for_owner,
    get_api_key_for_staff,
    get_pause_request_for_staff,
    incident_provinces,
    key_provinces,
    lockable_accounts,
    pause_provinces,
)
from ..monitoring.selectors import incidents_for
from ..monitoring.selectors import lock_list as lock_list_rows
from ..monitoring.status import MOVES
from ..ratelimit import client_ip


@never_cache
@login_required
def api_keys(request):
    """The province's keys; a new key is shown on the answer to its creation, and never again."""
    provinces = key_provinces(request.user)
    form = ApiKeyForm(request.POST or None, provinces=provinces)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _key, new_key = api_key_create(
            facility=form.cleaned_data.get("facility"),
            vendor=form.cleaned_data["vendor"],
            actor=request.user,
            name=form.cleaned_data["name"],
            ip=client_ip(request),
        )
        form = ApiKeyForm(provinces=provinces)
    keys = Paginator(
        api_keys_for(provinces).select_related("facility", "vendor", "created_by"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/api_keys.html", {"form": form, "keys": keys, "new_key": new_key}
    )


@require_POST
@login_required
def api_key_revoke_view(request, pk):
    key = get_api_key_for_staff(request.user, pk)
    try:
        api_key_revoke(key=key, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thu hồi khóa %(prefix)s….") % {"prefix": key.prefix})
    return redirect("monitoring:api_keys")


# The lock list's two tabs: what the issuer confirms on each.
LOCK_TABS = {
    "den-han": (MonitoringStatus.DUE_LOCK, "locked"),
    "da-khoa": (MonitoringStatus.LOCKED, "unlocked"),
}


@never_cache
@login_required
def lock_list(request):
    """Accounts due for locking (or locked, to unlock once data resumes) that the user
    confirms as their issuer, searchable and paged."""
    accounts = lockable_accounts(request.user)
    tab = request.GET.get("tab", "den-han")
    if tab not in LOCK_TABS:
        tab = "den-han"
    status, reason = LOCK_TABS[tab]
    query = request.GET.get("q", "")
    page = Paginator(
        lock_list_rows(accounts, status=status, query=query), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/lock_list.html",
        {"page": page, "tab": tab, "query": query, "reason": reason, "move": MOVES[reason]},
    )


@require_POST
@login_required
def lock_record(request, pk, reason):
    """Record that the account was locked or unlocked on the national system."""
    if reason not in LOCK_MOVES:
        raise Http404
    account = get_account_for_lock(request.user, pk, MOVES[reason])
    try:
        account_lock_record(
            account=account,
            reason=reason,
            actor=request.user,
            note=request.POST.get("note", "").strip()[:500],
            ip=client_ip(request),
        )
    except (WorkflowError, NotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi nhận “%(action)s” cho %(name)s; thông báo đã được gửi cho cơ sở.")
            % {"action": MOVES[reason].label, "name": account.facility.name},
        )
    tab = next(tab for tab, (_status, move) in LOCK_TABS.items() if move == reason)
    return redirect(f"{reverse('monitoring:lock_list')}?tab={tab}")


@never_cache
@login_required
def incidents(request):
    """Vendor outages touching the user's provinces, with the clock of the 12-hour duty."""
    page = Paginator(incidents_for(incident_provinces(request.user)), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for incident in page:
        incident.clock = clock_text(repair_clock(incident))
    return render(request, "monitoring/incidents.html", {"page": page})


@never_cache
@login_required
def pause_request_view(request, pk):
    """The facility asks to pause its monitoring for a temporary closure."""
    account = get_account_for_owner(request.user, pk)
    form = PauseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pause_request(
                account=account,
                actor=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã gửi đề nghị tạm ngừng; Sở Y tế sẽ xem xét."))
            return redirect("facility:home")
    pending = account.pause_requests.filter(status=PauseRequest.Status.PENDING).first()
    return render(
        request,
        "monitoring/pause_request.html",
        {"account": account, "form": form, "pending": pending},
    )


@never_cache
@login_required
def pause_requests(request):
    """Pending pause requests of the Sở's province, to approve or refuse."""
    page = Paginator(
        PauseRequest.objects.filter(
            status=PauseRequest.Status.PENDING,
            account__facility__province_id__in=pause_provinces(request.user),
        ).select_related("account__facility", "requested_by"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "monitoring/pause_requests.html", {"page": page})


@require_POST
@login_required
def pause_decide_view(request, pk, decision):
    if decision not in PAUSE_MOVES:
        raise Http404
    pause = get_pause_request_for_staff(request.user, pk)
    try:
        pause_decide(
            request_id=pause.pk,
            decision=decision,
            actor=request.user,
            note=request.POST.get("note", "").strip(),
            ip=client_ip(request),
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã xử lý đề nghị tạm ngừng của %(name)s.") % {"name": pause.account.facility.name},
        )
    return redirect("monitoring:pause_requests")

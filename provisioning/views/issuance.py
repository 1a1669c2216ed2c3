"""The provincial Viettel branch's screens: confirm interconnection, record and hand over."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..crypto import decrypt, encrypt, generate_password
from ..forms import AccountForm, HandOverForm, InterconnectionForm, QueueFilterForm
from ..models import (
    Document,
    DocumentKind,
    Dossier,
    NationalAccount,
    NationalSystem,
    Role,
)
from ..national.client import system_config
from ..national.endpoints import DEFAULT_BASE_URLS
from ..permissions import get_dossier_for_staff, require_role
from ..ratelimit import client_ip
from ..selectors import capped_counts, guidance_for
from ..selectors import timeline as dossier_timeline
from ..services.accounts import account_record, dossier_issue, recorded_password
from ..services.dossiers import dossier_confirm_interconnection
from ..workflow import HANDED_OVER, IN_REVIEW, MOVES, allows, can_confirm_interconnection
from .staff import (
    dossier_actions,
    paginate,
    querystring_without,
    queue_rows,
    render_queue,
    rendered_filters,
    tab_list,
)

TABS = {
    "confirm": (
        gettext_lazy("Chờ xác nhận liên thông"),
        Q(status__in=IN_REVIEW, interconnection=Dossier.Interconnection.PENDING),
    ),
    "issue": (gettext_lazy("Chờ cấp tài khoản"), Q(status__in=MOVES["issue"].sources)),
    "done": (gettext_lazy("Đã bàn giao"), Q(status__in=HANDED_OVER)),
}


@login_required
def queue(request):
    provinces = require_role(request.user, Role.VIETTEL)
    tab = request.GET.get("tab", "confirm")
    if tab not in TABS:
        tab = "confirm"
    form = QueueFilterForm(request.GET or None, provinces=provinces, with_state=False)
    dossiers = form.apply(Dossier.objects.filter(province_id__in=provinces))
    counts = capped_counts(
        {name: dossiers.filter(condition) for name, (_l, condition) in TABS.items()}
    )
    page = paginate(request, queue_rows(dossiers.filter(TABS[tab][1])), count=counts[tab])
    context = {
        "form": form,
        "filters": rendered_filters(form, provinces),
        "tab": tab,
        "tabs": tab_list([(name, label) for name, (label, _c) in TABS.items()], counts),
        "page": page,
        "filters_query": querystring_without(request, "tab", "page"),
        "row_query": querystring_without(request, "page"),
    }
    return render_queue(request, "issuance/queue.html", context)


def simulator_consoles():
    """The bundled simulators' account consoles, for the systems still pointed at them: in
    the demo, the officer creates the account there as on the real national system."""
    consoles = []
    for system, label in NationalSystem.choices:
        base_url = system_config(system)["base_url"]
        if base_url == DEFAULT_BASE_URLS[system]:
            parts = urlsplit(base_url)
            consoles.append((label, f"{parts.scheme}://{parts.netloc}/_simulator/"))
    return consoles


def _account(dossier):
    return NationalAccount.objects.filter(dossier=dossier).first()


SUGGESTION = "issuance:suggested_password:%s"


def suggested_password(request, dossier, *, new=False):
    """The password the page suggests for the dossier's account: the same at every load
    (kept encrypted in the officer's session) until the officer asks for another."""
    key = SUGGESTION % dossier.pk
    if new or key not in request.session:
        request.session[key] = encrypt(generate_password())
    return decrypt(request.session[key])


def _dossier_page(request, dossier, **forms_given):
    account = _account(dossier)
    record = (
        Document.objects.filter(
            dossier=dossier,
            kind=DocumentKind.INTERCONNECTION_RECORD,
            superseded_by__isnull=True,
        )
        .order_by("-uploaded_at")
        .first()
    )
    approved = allows(dossier, "issue")
    # Recording again keeps what was recorded, the password included (it is Viettel's own,
    # until the handover); a new suggestion replaces it only when the officer asks for one.
    known = (
        {key: getattr(account, key) for key in ("system", "facility_code", "username")}
        if account
        else {}
    )
    can_record = approved and not (account and account.handed_over_at)
    asked = (SUGGESTION % dossier.pk) in request.session
    password = None
    if can_record:
        password = (
            recorded_password(account)
            if account and not asked
            else suggested_password(request, dossier)
        )
    account_form = forms_given.get("account_form") or AccountForm(
        initial={**known, "password": password}
    )
    context = {
        "dossier": dossier,
        "facility": dossier.facility,
        "vendor": dossier.facility.vendor,
        "record": record,
        "account": account,
        "can_confirm": can_confirm_interconnection(dossier),
        "can_record": can_record,
        "can_hand_over": approved and account is not None,
        "verified": account is not None
        and account.verification == NationalAccount.Verification.VERIFIED,
        "confirm_form": forms_given.get("confirm_form") or InterconnectionForm(),
        "account_form": account_form,
        "hand_over_form": forms_given.get("hand_over_form") or HandOverForm(),
        "events": dossier_timeline(dossier, for_facility=False),
        "guidance": guidance_for(dossier.province_id),
        "simulator_consoles": simulator_consoles() if settings.DEBUG else [],
    }
    return render(request, "issuance/dossier.html", context)


@login_required
def dossier_detail(request, pk):
    dossier = get_dossier_for_staff(request.user, pk, Role.VIETTEL)
    if "goi-y" in request.GET:
        # "Gợi ý mật khẩu khác": a new suggestion, then the page again (so that reloading
        # it does not change the suggestion once more).
        suggested_password(request, dossier, new=True)
        return redirect(reverse("issuance:dossier", args=[dossier.pk]) + "#account-form")
    return _dossier_page(request, dossier)


action = dossier_actions(_dossier_page, "issuance:dossier")


@action(
    Role.VIETTEL,
    form=InterconnectionForm,
    name="confirm_form",
    invalid=gettext_lazy("Hãy chọn kết quả xác nhận liên thông."),
)
def confirm_interconnection(request, dossier, data):
    dossier_confirm_interconnection(
        dossier=dossier,
        actor=request.user,
        confirmed=data["confirmed"],
        note=data["note"],
        ip=client_ip(request),
    )
    if data["confirmed"]:
        return _("Đã xác nhận liên thông; Sở Y tế đã được thông báo.")
    return _("Đã ghi nhận không xác nhận được liên thông.")


@action(
    Role.VIETTEL,
    form=AccountForm,
    name="account_form",
    invalid=gettext_lazy("Vui lòng kiểm tra lại thông tin tài khoản."),
)
def record_account(request, dossier, data):
    account_record(
        dossier=dossier,
        actor=request.user,
        system=data["system"],
        facility_code=data["facility_code"],
        username=data["username"],
        password=data["password"],
        ip=client_ip(request),
    )
    # The suggestion was used (or replaced by the officer's own): the form now keeps the
    # recorded password.
    request.session.pop(SUGGESTION % dossier.pk, None)
    return _("Đã ghi nhận tài khoản. Cổng đang kiểm tra đăng nhập trên hệ thống quốc gia.")


@action(
    Role.VIETTEL,
    form=HandOverForm,
    name="hand_over_form",
    invalid=gettext_lazy("Vui lòng kiểm tra lại lý do bàn giao."),
)
def hand_over(request, dossier, data):
    dossier_issue(
        dossier=dossier,
        actor=request.user,
        override_reason=data.get("override_reason", ""),
        ip=client_ip(request),
    )
    return _("Đã bàn giao tài khoản; cơ sở đã được thông báo để nhận và đổi mật khẩu.")

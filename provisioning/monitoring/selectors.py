"""Reads of monitoring data used in more than one place (commands, pages)."""

from django.db.models import Q
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _

from ..errors import WorkflowError
from ..models import Facility, NationalAccount
from ..search import Folded, fold
from .models import MonitoringState, MonitoringStatus


def account_for_code(code, system=None):
    """The account with this facility code (on `system` when given); WorkflowError when none
    or when the code names accounts on both systems and no system is given."""
    accounts = NationalAccount.objects.filter(facility_code=code.strip()).select_related("facility")
    if system:
        accounts = accounts.filter(system=system)
    found = list(accounts[:2])
    if not found:
        raise WorkflowError(_("Không có tài khoản liên thông nào mang mã cơ sở “%s”.") % code)
    if len(found) > 1:
        raise WorkflowError(
            _("Mã cơ sở “%s” có tài khoản trên cả hai hệ thống: hãy chọn hệ thống.") % code
        )
    return found[0]


def account_monitoring(account):
    """(status, last data time or None) of an account. A handed-over account the sweep has
    not enrolled yet is waiting, which is what enrolment will make it."""
    try:
        state = account.monitoring  # read with the account when it was select_related
    except MonitoringState.DoesNotExist:
        state = None
    if state is not None:
        return state.status, state.last_data_at
    if account.handed_over_at is None:
        raise WorkflowError(_("Tài khoản chưa được bàn giao nên chưa được theo dõi."))
    return MonitoringStatus.WAITING, None


def facility_for_code(code, provinces):
    """The facility of the account with this facility code in one of `provinces`, or None."""
    account = (
        NationalAccount.objects.filter(
            facility_code=code.strip(), facility__province_id__in=provinces
        )
        .select_related("facility")
        .first()
    )
    return account.facility if account else None


# The statuses the silent-accounts list shows unless told otherwise.
SILENT_STATUSES = (MonitoringStatus.LATE, MonitoringStatus.SILENT, MonitoringStatus.DUE_LOCK)


def monitored_accounts(provinces, *, statuses=SILENT_STATUSES, text=""):
    """The monitoring states of the accounts of `provinces` in `statuses`, the longest
    quiet first; `text` searches the facility code, and the name accent-blind."""
    states = MonitoringState.objects.filter(
        account__facility__province_id__in=provinces, status__in=statuses
    )
    text = text.strip()
    if text:
        # The names in a subquery of their own, answered from the trigram index.
        named = Facility.objects.filter(Contains(Folded("name"), fold(text))).values("pk")
        states = states.filter(
            Q(account__facility_code__icontains=text) | Q(account__facility__in=named)
        )
    return states.select_related("account__facility__vendor").order_by("quiet_since", "pk")


def lock_list(accounts, *, status, query=""):
    """`accounts` in `status` (due for locking, or locked), searched by facility name or code
    (accent-blind), the longest silence first."""
    from ..search import Folded, fold

    rows = accounts.filter(monitoring__status=status).select_related(
        "facility", "facility__commune", "facility__vendor", "monitoring"
    )
    query = query.strip()
    if query:
        rows = rows.annotate(folded_name=Folded("facility__name")).filter(
            Q(folded_name__contains=fold(query)) | Q(facility_code__icontains=query)
        )
    return rows.order_by("monitoring__quiet_since", "pk")


def incidents_for(provinces):
    """Vendor incidents touching `provinces`, open first, with how many of their accounts
    there are and how many of those are still quiet."""
    from django.db.models import Count, F

    from .incidents import QUIET
    from .models import VendorIncident

    here = Q(accounts__facility__province_id__in=provinces)
    return (
        VendorIncident.objects.filter(here)
        .annotate(
            in_provinces=Count("accounts", filter=here, distinct=True),
            still_quiet=Count(
                "accounts",
                filter=here & Q(accounts__monitoring__status__in=QUIET),
                distinct=True,
            ),
        )
        .select_related("vendor")
        .order_by(F("closed_at").desc(nulls_first=True), "-opened_at", "-pk")
    )


CALENDAR_DAYS = 90


def calendar_prefetch(today, days=CALENDAR_DAYS):
    """Prefetch of each account's daily counts the calendar shows (one query for a page of
    accounts), read by `data_calendar`."""
    from datetime import timedelta

    from django.db.models import Prefetch

    from .models import AccountDay

    first = today - timedelta(days=days - 1)
    return Prefetch(
        "days",
        queryset=AccountDay.objects.filter(day__gte=first, day__lte=today).only(
            "account_id", "day", "pushes"
        ),
        to_attr="calendar_days",
    )


def data_calendar(account, *, today, days=CALENDAR_DAYS):
    """[(day, pushes)] for the last `days` days up to `today` (Vietnam time), oldest first;
    from `calendar_prefetch` when the view used it, else one query."""
    from datetime import timedelta

    from .models import AccountDay

    first = today - timedelta(days=days - 1)
    rows = getattr(account, "calendar_days", None)
    if rows is None:
        rows = AccountDay.objects.filter(account=account, day__gte=first, day__lte=today)
    pushes = {row.day: row.pushes for row in rows}
    return [(day, pushes.get(day, 0)) for day in (first + timedelta(n) for n in range(days))]

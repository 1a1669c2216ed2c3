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

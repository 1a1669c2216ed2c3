from django import template
from django.utils import timezone

from ..monitoring.models import MonitoringStatus
from ..monitoring.selectors import data_calendar
from ..monitoring.status import ADVICE, grace_days

register = template.Library()


@register.inclusion_tag("monitoring/_account_status.html")
def monitoring_card(account):
    """Where a handed-over account stands, for its facility: status, last data, what to do.

    Reads the state the view loaded with the account (`select_related("monitoring")`).
    """
    try:
        state = account.monitoring
    except account.__class__.monitoring.RelatedObjectDoesNotExist:
        state = None
    status = state.status if state else MonitoringStatus.WAITING
    calendar = data_calendar(account, today=timezone.localdate())
    return {
        "account": account,
        "status": status,
        "label": MonitoringStatus(status).label,
        "last_data_at": state.last_data_at if state else None,
        "paused_until": state.paused_until if state else None,
        "advice": ADVICE[status],
        "late_days": grace_days(account.facility.kind)["late"],
        "calendar": calendar,
        "days_with_data": sum(1 for _day, pushes in calendar if pushes),
    }

"""Vendor outages: many facilities of one vendor going quiet together are one incident.

An incident opens when at least `MONITORING_OUTAGE_MIN_ACCOUNTS` accounts of one vendor went
late or silent within `MONITORING_OUTAGE_WINDOW_HOURS` (late counts too: otherwise each
facility would already have had its own reminder days before the group goes silent). While
it is open, the reminders of its accounts wait (`held_account_ids`); it closes by itself,
audited, once `MONITORING_OUTAGE_RECOVERED_PERCENT` of them send data again.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..services.audit import record_event
from .models import MonitoringStatus, StatusChange, VendorIncident

QUIET = (MonitoringStatus.LATE, MonitoringStatus.SILENT, MonitoringStatus.DUE_LOCK)
QUIET_REASONS = ("late", "silent")


def held_account_ids():
    """The accounts of open incidents (a subquery): their reminders wait."""
    return VendorIncident.accounts.through.objects.filter(
        vendorincident__closed_at__isnull=True
    ).values("nationalaccount_id")


def is_held(account_id):
    return held_account_ids().filter(nationalaccount_id=account_id).exists()


def incidents_open(*, now=None):
    """Open an incident for each vendor with enough accounts gone quiet within the window,
    or add newly quiet accounts to the vendor's open incident. Returns the incidents opened.

    Race: two workers may open one vendor's incident at once; the partial unique constraint
    lets one insert win, the other joins the winner's incident.
    """
    now = now or timezone.now()
    recent = StatusChange.objects.filter(
        reason__in=QUIET_REASONS,
        at__gt=now - timedelta(hours=settings.MONITORING_OUTAGE_WINDOW_HOURS),
        at__lte=now,
        account__monitoring__status__in=QUIET,
    ).exclude(account__in=held_account_ids())
    vendors = (
        recent.values("account__facility__vendor")
        .annotate(accounts=Count("account", distinct=True))
        .values_list("account__facility__vendor", "accounts")
    )
    open_vendors = set(
        VendorIncident.objects.filter(closed_at__isnull=True).values_list("vendor_id", flat=True)
    )
    opened = []
    for vendor_id, count in vendors:
        if vendor_id not in open_vendors and count < settings.MONITORING_OUTAGE_MIN_ACCOUNTS:
            continue
        account_ids = set(
            recent.filter(account__facility__vendor=vendor_id).values_list("account", flat=True)
        )
        incident, created = _open_or_join(vendor_id, account_ids, now)
        if created:
            opened.append(incident)
    return opened


def _open_or_join(vendor_id, account_ids, now):
    """The incident with its accounts, committed together (the outbox never sees an
    incident without them)."""
    try:
        with transaction.atomic():
            incident = VendorIncident.objects.create(
                vendor_id=vendor_id,
                opened_at=now,
                repair_due_at=now + timedelta(hours=settings.MONITORING_OUTAGE_REPAIR_HOURS),
            )
            incident.accounts.add(*account_ids)
            record_event(
                action="monitoring.incident_opened",
                data={"incident": incident.pk, "vendor": vendor_id},
                visible_to_facility=False,
            )
            return incident, True
    except IntegrityError:
        incident = VendorIncident.objects.get(vendor_id=vendor_id, closed_at__isnull=True)
        incident.accounts.add(*account_ids)
        return incident, False


def incidents_close(*, now=None):
    """Close, audited, each open incident whose accounts have mostly sent data again.
    Returns the incidents closed."""
    now = now or timezone.now()
    closed = []
    for incident in VendorIncident.objects.filter(closed_at__isnull=True):
        total, recovered = recovery(incident)
        if total and recovered * 100 >= total * settings.MONITORING_OUTAGE_RECOVERED_PERCENT:
            with transaction.atomic():
                # Race: closed at most once, by whoever changes the row.
                if not VendorIncident.objects.filter(pk=incident.pk, closed_at__isnull=True).update(
                    closed_at=now
                ):
                    continue
                record_event(
                    action="monitoring.incident_closed",
                    data={
                        "incident": incident.pk,
                        "vendor": incident.vendor_id,
                        "accounts": total,
                        "recovered": recovered,
                        "within_repair_duty": now <= incident.repair_due_at,
                    },
                    visible_to_facility=False,
                )
            incident.closed_at = now
            closed.append(incident)
    return closed


def recovery(incident):
    """(accounts in the incident, how many are no longer quiet)."""
    statuses = incident.accounts.values_list("monitoring__status", flat=True)
    statuses = list(statuses)
    return len(statuses), sum(1 for status in statuses if status not in QUIET)


def repair_clock(incident, now=None):
    """Time left before the repair duty runs out (negative once overdue), until closed."""
    end = incident.closed_at or now or timezone.now()
    return incident.repair_due_at - end


def clock_text(left):
    """'còn 5 giờ 20 phút' before the repair duty runs out, 'quá hạn 3 giờ 5 phút' after."""
    minutes = int(abs(left).total_seconds() // 60)
    span = _("%(hours)d giờ %(minutes)d phút") % {"hours": minutes // 60, "minutes": minutes % 60}
    if left >= timedelta(0):
        return _("còn %(span)s") % {"span": span}
    return _("quá hạn %(span)s") % {"span": span}

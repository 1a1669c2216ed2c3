"""The reminders, sent from an outbox: the `StatusChange` rows (healthchecks' `sendalerts`).

Each row that may need an e-mail is claimed with a conditional UPDATE (`processed_at` from
empty to now: exactly one worker gets it), then sent, then marked (`notified_at`). A retried
task or a second worker finds it claimed and sends nothing: an e-mail goes out at most once.

An episode is the time an account spends quiet (late, silent, due for locking) between two
changes that end it (data again, a pause, a lock, an unlock, a revocation). The facility
gets at most one "late" and one "silent" e-mail per episode (the sweep may move it
silent → late → silent when a late report arrives), and a recovery notice only if it was
reminded. A change claimed after its episode ended is marked without an e-mail.
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Province, Role
from . import emails
from .incidents import (
    QUIET,
    held_account_ids,
    incidents_close,
    incidents_open,
    is_held,
    repair_clock,
)
from .models import (
    MonitoringDigest,
    MonitoringState,
    MonitoringStatus,
    StatusChange,
    VendorIncident,
)

S = MonitoringStatus
# New statuses that end an episode.
EPISODE_ENDS = (S.ACTIVE, S.WAITING, S.PAUSED, S.LOCKED, S.REVOKED)
REMINDERS = {"late": emails.late_to_facility, "silent": emails.silent_to_facility}
NOTIFYING = Q(reason__in=tuple(REMINDERS)) | Q(reason="data_resumed", old_status__in=QUIET)


def notifications_send(*, now=None):
    """One run of the outbox: incidents, facility reminders, vendor reminders. Safe to run
    twice at once. Returns how many e-mails of each kind went out."""
    now = now or timezone.now()
    counts = Counter()
    # Changes that e-mail nobody are marked in one statement.
    StatusChange.objects.filter(processed_at__isnull=True, at__lte=now).exclude(NOTIFYING).update(
        processed_at=now
    )
    # Before the reminders: a vendor outage holds back its facilities' reminders.
    incidents_close(now=now)
    incidents_open(now=now)
    counts["incident"] = _send_incidents(now)
    counts.update(_send_reminders(now))
    counts["vendor"] = _send_vendor_reminders(now)
    return counts


def _claim(queryset, pk, field, now):
    """Race: two workers (or a retried task) claim one row; exactly one UPDATE changes it."""
    return queryset.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1


def _before(change):
    return Q(at__lt=change.at) | Q(at=change.at, pk__lt=change.pk)


def _after(change):
    return Q(at__gt=change.at) | Q(at=change.at, pk__gt=change.pk)


def _episode(change):
    """The account's changes of `change`'s episode that came before it."""
    history = StatusChange.objects.filter(account_id=change.account_id)
    start = history.filter(_before(change), new_status__in=EPISODE_ENDS).order_by("-at", "-pk")
    start = start.first()
    earlier = history.filter(_before(change))
    return earlier.filter(_after(start)) if start else earlier


def _ended(change):
    return (
        StatusChange.objects.filter(account_id=change.account_id, new_status__in=EPISODE_ENDS)
        .filter(_after(change))
        .exists()
    )


def _reminded(changes):
    return changes.filter(reason__in=tuple(REMINDERS), notified_at__isnull=False)


def _send_reminders(now):
    counts = Counter()
    pending = (
        StatusChange.objects.filter(NOTIFYING, processed_at__isnull=True, at__lte=now)
        .exclude(account__in=held_account_ids())
        .select_related("account__facility__owner", "account__facility__vendor")
        .select_related("account__facility__province", "account__monitoring")
        .order_by("at", "pk")
    )
    for change in pending.iterator(chunk_size=500):
        if not _claim(StatusChange.objects, change.pk, "processed_at", now):
            continue  # another worker has it
        if is_held(change.account_id):
            # Race: another worker opened an outage since the query; the reminder waits.
            StatusChange.objects.filter(pk=change.pk).update(processed_at=None)
            continue
        if change.reason == "data_resumed":
            send = emails.recovered_to_facility if _reminded(_episode(change)).exists() else None
            kind = "recovered"
        else:
            already = _reminded(_episode(change)).filter(reason=change.reason).exists()
            send = None if already or _ended(change) else REMINDERS[change.reason]
            kind = change.reason
        if send is not None and send(change):
            StatusChange.objects.filter(pk=change.pk).update(notified_at=timezone.now())
            counts[kind] += 1
    return counts


def _send_vendor_reminders(now):
    """Silent facilities reminded at least `MONITORING_VENDOR_REMINDER_HOURS` ago and still
    silent: one e-mail per vendor listing them."""
    due = (
        StatusChange.objects.filter(
            reason="silent",
            notified_at__isnull=False,
            vendor_notified_at__isnull=True,
            at__lte=now - timedelta(hours=settings.MONITORING_VENDOR_REMINDER_HOURS),
            account__monitoring__status__in=(S.SILENT, S.DUE_LOCK),
        )
        .exclude(account__in=held_account_ids())
        .select_related("account__facility__vendor", "account__facility__province")
        .select_related("account__monitoring")
        .order_by("at", "pk")
    )
    by_vendor = defaultdict(list)
    for change in due:
        if _claim(StatusChange.objects, change.pk, "vendor_notified_at", now) and not _ended(
            change
        ):
            by_vendor[change.account.facility.vendor].append(change)
    return sum(emails.silent_to_vendor(vendor, changes) for vendor, changes in by_vendor.items())


def _send_incidents(now):
    """E-mail each newly opened incident once: to the vendor, and to the Viettel branch of
    every province with facilities in it."""
    sent = 0
    for incident in VendorIncident.objects.filter(notified_at__isnull=True, closed_at__isnull=True):
        if not _claim(VendorIncident.objects, incident.pk, "notified_at", now):
            continue
        accounts = list(
            incident.accounts.select_related("facility__province", "monitoring").order_by(
                "facility__province", "facility__name"
            )
        )
        sent += emails.incident_to_vendor(incident, accounts)
        by_province = defaultdict(list)
        for account in accounts:
            by_province[account.facility.province].append(account)
        for province, in_province in by_province.items():
            sent += emails.incident_to_viettel(incident, province, in_province)
    return sent


# The digest: what moved in the last day, by what it means for the Sở.
DIGEST_MOVES = (
    ("late", _("Chậm gửi dữ liệu")),
    ("silent", _("Ngừng gửi dữ liệu")),
    ("due_lock", _("Đến hạn khóa tài khoản")),
    ("data_resumed", _("Có dữ liệu trở lại")),
)


DIGEST_LISTED = 50


def digest_summary(province, *, now):
    """What one province's digest says: counts per status, the day's moves, open incidents."""
    states = MonitoringState.objects.filter(account__facility__province=province)
    by_status = dict(states.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    changes = (
        StatusChange.objects.filter(
            account__facility__province=province, at__gt=now - timedelta(days=1), at__lte=now
        )
        .select_related("account__facility")
        .order_by("at", "pk")
    )
    moves = []
    for reason, label in DIGEST_MOVES:
        moved = [change for change in changes if change.reason == reason]
        # A province-wide outage would make an endless e-mail: the first ones, and a count.
        moves.append((str(label), len(moved), moved[:DIGEST_LISTED], len(moved) - DIGEST_LISTED))
    incidents = [
        (incident, incident.n, repair_clock(incident, now) < timedelta(0))
        for incident in VendorIncident.objects.filter(
            closed_at__isnull=True, accounts__facility__province=province
        )
        .annotate(n=Count("accounts"))
        .select_related("vendor")
    ]
    return {
        "day": timezone.localdate(now),
        "counts": [(label, by_status.get(status, 0)) for status, label in S.choices],
        "moves": moves,
        "incidents": incidents,
    }


def digests_send(*, now=None):
    """Each province's daily digest to its reviewers and approvers, once a day from
    `MONITORING_DIGEST_HOUR` (local time), however often it runs (hourly from the beat).
    Returns how many e-mails went out.

    Race: the digest of a province and day is claimed by inserting its row; a second
    worker's insert fails on the unique constraint and it sends nothing.
    """
    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.MONITORING_DIGEST_HOUR:
        return 0  # too early: the day's digest goes out from the configured hour
    day = timezone.localdate(now)
    sent = 0
    staff = Membership.objects.filter(
        role__in=(Role.REVIEWER, Role.APPROVER), user__is_active=True
    ).select_related("user")
    for province in Province.objects.filter(pk__in=staff.values("province")):
        try:
            with transaction.atomic():
                digest = MonitoringDigest.objects.create(province=province, day=day)
        except IntegrityError:
            continue
        summary = digest_summary(province, now=now)
        users = {m.user for m in staff.filter(province=province)}
        sent += sum(
            emails.digest_to_staff(user, province, summary)
            for user in sorted(users, key=lambda u: u.email)
        )
        MonitoringDigest.objects.filter(pk=digest.pk).update(sent_at=timezone.now())
    return sent

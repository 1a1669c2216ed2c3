"""Working days: weekends and Vietnamese public holidays (Tết included) do not count."""

import datetime

import pytest
from django.utils import timezone

from provisioning.models import Dossier, DossierStatus
from provisioning.services.dossiers import dossier_request_info, dossier_respond
from provisioning.workdays import add_working_days, is_working_day, working_days_between

from .flows import dossier_at

D = datetime.date


@pytest.mark.parametrize("day", [D(2027, 2, 4) + datetime.timedelta(days=n) for n in range(7)])
def test_every_day_of_tet_2027_is_a_holiday(day):
    assert not is_working_day(day)


def test_the_days_around_tet_2027_are_working_days():
    assert is_working_day(D(2027, 2, 3))
    assert is_working_day(D(2027, 2, 11))


def test_one_working_day_after_the_eve_of_tet_is_the_day_after_the_holiday():
    assert add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)


def test_five_working_days_from_monday_before_tet_jump_over_the_holiday():
    # 2, 3 February, then 11, 12 and 15 February 2027.
    assert add_working_days(D(2027, 2, 1), 5) == D(2027, 2, 15)


def test_one_working_day_after_a_friday_is_the_monday():
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)


def test_a_dossier_received_on_saturday_counts_from_monday():
    assert add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)


def test_zero_working_days_leave_the_date_as_it_is():
    assert add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 7)


def test_reunification_day_and_labour_day_are_skipped():
    # 30 April 2026 (Thursday) and 1 May 2026 (Friday) are holidays.
    assert add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)


def test_working_days_between_does_not_count_the_start_but_counts_the_end():
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 13)) == 4


def test_working_days_between_skips_the_weekend():
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1


def test_working_days_between_skips_tet():
    assert working_days_between(D(2027, 2, 3), D(2027, 2, 11)) == 1
    assert working_days_between(D(2027, 2, 1), D(2027, 2, 15)) == 5


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start():
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 9)) == 0


@pytest.mark.parametrize(
    "start, days",
    [(D(2027, 1, 28), 10), (D(2026, 12, 30), 3), (D(2026, 8, 28), 6), (D(2026, 4, 24), 7)],
)
def test_working_days_between_undoes_add_working_days(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days


# The clock stops while the dossier waits on the facility


@pytest.fixture
def waiting(facility, reviewer, approver, viettel):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    return dossier_request_info(
        dossier=dossier, actor=reviewer, items=[("other", "Bổ sung ảnh biển hiệu")]
    )


def respond(dossier):
    item = dossier.info_items.get()
    return dossier_respond(
        dossier=dossier, actor=dossier.facility.owner, answers={item.pk: ("Đã gửi ảnh", None)}
    )


@pytest.mark.django_db
def test_asking_for_more_stops_the_clock_from_today(waiting):
    assert waiting.status == DossierStatus.NEEDS_INFO
    assert waiting.paused_since == timezone.localdate()


@pytest.mark.django_db
@pytest.mark.parametrize("calendar_days", [3, 10, 30])
def test_resuming_moves_the_due_date_by_the_working_days_the_dossier_waited(waiting, calendar_days):
    today = timezone.localdate()
    paused_since = today - datetime.timedelta(days=calendar_days)
    Dossier.objects.filter(pk=waiting.pk).update(paused_since=paused_since)
    due_before = waiting.due_date

    resumed = respond(waiting)

    waited = working_days_between(paused_since, today)
    assert resumed.status == DossierStatus.SUBMITTED
    assert resumed.paused_since is None
    assert working_days_between(due_before, resumed.due_date) == waited
    assert is_working_day(resumed.due_date)


@pytest.mark.django_db
def test_answering_on_the_day_of_the_request_keeps_the_due_date(waiting):
    due_before = waiting.due_date
    assert respond(waiting).due_date == due_before

"""Pages that stay fast as the province's history grows: what each measure promises a user."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.celery import app as celery_app
from provisioning import selectors
from provisioning.models import Apology, DossierStatus
from provisioning.resources import FacilityResource
from provisioning.tasks import clear_expired_sessions

from ..factories import FacilityFactory, VendorFactory
from .test_review import queued

S = DossierStatus
pytestmark = pytest.mark.django_db


def _queue(client, **params):
    return client.get(reverse("review:queue"), params)


def _sql(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = _queue(client, **params)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("typed", ["ltd-24-2025-{n}", "LTD242025{n}", " ltd 24 2025 {n} "])
def test_a_dossier_code_is_found_in_any_case_with_or_without_dashes(as_user, reviewer, typed):
    wanted, _other = queued(2)
    number = wanted.code.rsplit("-", 1)[1]
    response = _queue(as_user(reviewer), tab="all", q=typed.format(n=number))
    assert list(response.context["page"].object_list) == [wanted]


def test_a_dossier_code_search_asks_the_code_index_not_a_pattern(as_user, reviewer):
    wanted, _other = queued(2)
    response, queries = _sql(as_user(reviewer), tab="all", q=wanted.code.lower())
    assert list(response.context["page"].object_list) == [wanted]
    assert any(f'"provisioning_dossier"."code" = \'{wanted.code}\'' in sql for sql in queries)
    assert not any("LIKE" in sql and '"code"' in sql for sql in queries)


def test_a_search_shorter_than_three_letters_finds_nothing(as_user, reviewer):
    queued(2, name="Nhà thuốc An")
    response = _queue(as_user(reviewer), tab="all", q="an")
    assert list(response.context["page"].object_list) == []


def test_a_big_closed_tab_shows_a_capped_count_and_stops_paging(
    as_user, reviewer, settings, monkeypatch
):
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(selectors, "COUNTED_PAGES", 2)  # exact up to 4 rows
    queued(5, status=S.COMPLETED)
    queued(1)
    client = as_user(reviewer)

    response = _queue(client, tab="decided")
    counts = {name: count for name, _label, count in response.context["tabs"]}
    assert counts["decided"] == "4+"
    assert counts["new"] == 1
    assert "(4+)" in response.text
    assert "Trang 1/2+" in response.text

    last = _queue(client, tab="decided", page=3)
    assert "Trang 2/2+" in last.text


def test_a_small_tab_keeps_its_exact_count(as_user, reviewer, settings, monkeypatch):
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(selectors, "COUNTED_PAGES", 2)
    queued(4, status=S.COMPLETED)
    response = _queue(as_user(reviewer), tab="decided")
    counts = {name: count for name, _label, count in response.context["tabs"]}
    assert counts["decided"] == 4
    assert "Trang 1/2<" in response.text


def test_the_waiting_apology_badge_is_asked_for_the_page_rows_only(as_user, reviewer):
    late, on_time = queued(2, due_in=1)
    Apology.objects.create(
        dossier=late,
        old_due_date=late.due_date,
        new_due_date=late.due_date + datetime.timedelta(days=5),
        reason="Chờ đối chiếu",
    )
    response, queries = _sql(as_user(reviewer), tab="new")

    flags = {dossier: dossier.apology_waiting for dossier in response.context["page"].object_list}
    assert flags == {late: True, on_time: False}
    assert response.text.count("Phiếu xin lỗi chờ gửi") == 1
    [asked] = [sql for sql in queries if "provisioning_apology" in sql]
    assert f"IN ({late.pk}, {on_time.pk})" in asked or f"IN ({on_time.pk}, {late.pk})" in asked


def test_the_filter_lists_are_rendered_once_until_a_vendor_changes(as_user, reviewer):
    queued(1)
    client = as_user(reviewer)
    _queue(client)

    response, queries = _sql(client)
    assert not any('FROM "provisioning_commune"' in sql for sql in queries)
    assert not any('FROM "provisioning_vendor"' in sql for sql in queries)
    assert 'name="commune"' in response.text

    VendorFactory(name="Công ty TNHH Phần mềm Sao Mai", short_name="SaoMai")
    assert ">SaoMai</option>" in _queue(client).text


def test_a_chosen_filter_stays_selected_when_its_list_comes_from_the_cache(as_user, reviewer):
    vendor = VendorFactory(name="Công ty TNHH Phần mềm Sao Mai", short_name="SaoMai")
    client = as_user(reviewer)
    _queue(client)
    response = _queue(client, vendor=vendor.pk)
    assert f'<option value="{vendor.pk}" selected>SaoMai</option>' in response.text
    assert f'<option value="{vendor.pk}">SaoMai</option>' in _queue(client).text


def test_the_search_box_waits_for_a_pause_and_drops_a_stale_request(as_user, reviewer):
    response = _queue(as_user(reviewer))
    assert "keyup changed delay:600ms" in response.text
    assert 'hx-sync="this:replace"' in response.text


def test_the_viettel_queue_counts_are_capped_too(as_user, viettel, settings, monkeypatch):
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(selectors, "COUNTED_PAGES", 1)
    queued(3, status=S.COMPLETED)
    response = as_user(viettel).get(reverse("issuance:queue"), {"tab": "done"})
    counts = {name: count for name, _label, count in response.context["tabs"]}
    assert counts["done"] == "2+"
    assert "Trang 1/1+" in response.text


@pytest.mark.parametrize("facilities", [2, 6])
def test_the_facility_export_costs_the_same_queries_for_more_facilities(facilities, db):
    for _ in range(facilities):
        FacilityFactory()
    with CaptureQueriesContext(connection) as captured:
        dataset = FacilityResource().export()
    assert len(dataset) == facilities
    assert len(captured.captured_queries) == 1


def test_the_beat_clears_expired_sessions_every_day():
    entry = celery_app.conf.beat_schedule["clear-expired-sessions"]
    assert entry["task"] == "provisioning.tasks.clear_expired_sessions"
    assert entry["schedule"] == 24 * 3600.0


def test_clearing_sessions_removes_only_the_expired_ones():
    live, old = SessionStore(), SessionStore()
    live.create()
    old.set_expiry(timezone.now() - datetime.timedelta(days=1))
    old.create()
    clear_expired_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.postgres
@pytest.mark.parametrize("tab", ["new", "overdue", "proposed"])
def test_an_open_tab_is_read_from_an_index_of_open_work(as_user, reviewer, tab):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    queued(3, due_in=-2)
    queued(2, status=S.PROPOSED_APPROVAL, due_in=-2)
    queued(3, status=S.COMPLETED, due_in=-300)
    _response, queries = _sql(as_user(reviewer), tab=tab)
    [rows] = [sql for sql in queries if '"provisioning_dossier"."due_date" ASC' in sql]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is scanned otherwise
        cursor.execute("EXPLAIN " + rows)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "dossier_status_queue" in plan or "dossier_open_queue" in plan
    assert "dossier_queue_order" not in plan

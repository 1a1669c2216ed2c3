"""The staff list of accounts that stopped sending data."""

import datetime

import pytest
from django.utils import timezone

from provisioning.monitoring.services import monitoring_sweep

from ..factories import FacilityFactory
from .factories import HandedOverAccountFactory

PAGE = "/theo-doi/chua-gui-du-lieu/"


@pytest.fixture
def accounts(facility, other_province):
    now = timezone.now()
    late = HandedOverAccountFactory(
        facility=FacilityFactory(name="Nhà thuốc Tâm Đức"),
        facility_code="24-000001",
        handed_over_at=now - datetime.timedelta(days=5),
    )
    silent = HandedOverAccountFactory(
        facility=facility,
        facility_code="24-000002",
        handed_over_at=now - datetime.timedelta(days=20),
    )
    fresh = HandedOverAccountFactory(facility_code="24-000003")
    elsewhere = HandedOverAccountFactory(
        facility=FacilityFactory(province=other_province),
        facility_code="25-000004",
        handed_over_at=now - datetime.timedelta(days=20),
    )
    monitoring_sweep()
    return late, silent, fresh, elsewhere


def codes(response):
    return [state.account.facility_code for state in response.context["states"]]


def test_anonymous_is_sent_to_log_in(as_user, db):
    assert as_user(None).get(PAGE).status_code == 302


def test_a_facility_owner_gets_403(as_user, owner):
    assert as_user(owner).get(PAGE).status_code == 403


def test_a_reviewer_sees_the_quiet_accounts_of_the_province_longest_quiet_first(
    as_user, reviewer, accounts
):
    response = as_user(reviewer).get(PAGE)

    assert codes(response) == ["24-000002", "24-000001"]
    assert "Nhà thuốc Tâm Đức" in response.content.decode()


def test_the_list_filters_by_status_and_searches_without_accents(as_user, viettel, accounts):
    client = as_user(viettel)

    assert codes(client.get(PAGE, {"status": "silent"})) == ["24-000002"]
    assert codes(client.get(PAGE, {"status": "waiting"})) == ["24-000003"]
    assert codes(client.get(PAGE, {"q": "tam duc"})) == ["24-000001"]
    assert codes(client.get(PAGE, {"q": "000002"})) == ["24-000002"]


def test_a_reviewer_of_another_province_sees_only_that_province(as_user, other_reviewer, accounts):
    assert codes(as_user(other_reviewer).get(PAGE)) == ["25-000004"]


def test_the_list_is_paginated(as_user, reviewer, accounts, settings):
    settings.PAGE_SIZE = 1
    client = as_user(reviewer)

    first, second = client.get(PAGE), client.get(PAGE, {"page": 2})

    assert (codes(first), codes(second)) == (["24-000002"], ["24-000001"])
    assert "page=2" in first.content.decode()


@pytest.mark.django_db
def test_a_reviewers_menu_leads_to_the_silent_list_and_the_activity_import(as_user, reviewer):
    page = as_user(reviewer).get("/", follow=True).text
    assert f'href="{PAGE}"' in page
    assert 'href="/theo-doi/nhap-hoat-dong/"' in page


@pytest.mark.django_db
def test_a_facilitys_menu_has_neither_staff_page(as_user, facility):
    page = as_user(facility.owner).get("/", follow=True).text
    assert PAGE not in page
    assert "/theo-doi/nhap-hoat-dong/" not in page

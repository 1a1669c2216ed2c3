"""Communes and provinces sort in Vietnamese alphabetical order, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from provisioning.forms import FacilityForm, QueueFilterForm
from provisioning.models import Commune
from provisioning.search import vietnamese_key

from .factories import HOME_PROVINCE

# In the order a Vietnamese reader expects (and ICU's "vi" collation gives).
ORDERED = [
    "Xã An",
    "Xã Ăn",
    "Xã Ấn",
    "Xã Da",
    "Xã Dạ",
    "Xã Dũng",
    "Xã Đa",
    "Xã Đông",
    "Xã Eo",
    "Xã Ê",
    "Xã Ô",
    "Xã Ơ",
    "Xã U",
    "Xã Ư",
    "Xã V",
]
# The same names, in the code-point order a plain ORDER BY gives: Đ and the hooked letters
# fall after every other letter.
SHUFFLED = sorted(ORDERED)


def test_python_key_orders_d_bar_after_d_and_before_e():
    assert SHUFFLED != ORDERED
    assert sorted(SHUFFLED, key=vietnamese_key) == ORDERED


def test_tones_come_after_the_bare_letter_in_the_traditional_order():
    words = ["mạ", "má", "mã", "mả", "mà", "ma"]
    assert sorted(words, key=vietnamese_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def _communes(names):
    Commune.objects.filter(province_id=HOME_PROVINCE).delete()
    for code, name in enumerate(names, start=900001):
        Commune.objects.create(code=code, province_id=HOME_PROVINCE, name=name, division_type="Xã")


@pytest.mark.django_db
def test_the_database_lists_communes_in_vietnamese_order(home_province):
    _communes(SHUFFLED)
    names = list(Commune.objects.filter(province_id=HOME_PROVINCE).values_list("name", flat=True))
    assert names == ORDERED


@pytest.mark.django_db
def test_the_facility_form_and_the_queue_filter_offer_communes_in_vietnamese_order(
    home_province,
):
    _communes(SHUFFLED)
    facility_choices = [label for _value, label in FacilityForm().fields["commune"].choices][1:]
    filter_choices = [
        label
        for _value, label in QueueFilterForm(provinces=[HOME_PROVINCE]).fields["commune"].choices
    ][1:]
    assert facility_choices == ORDERED
    assert filter_choices == ORDERED


@pytest.mark.django_db
def test_the_facility_page_shows_communes_in_vietnamese_order(home_province, owner, as_user):
    _communes(SHUFFLED)
    page = as_user(owner).get(reverse("facility:facility_create")).content.decode()
    positions = [page.index(f">{name}</option>") for name in ORDERED]
    assert positions == sorted(positions)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db
def test_postgresql_and_python_agree_on_the_order_of_every_real_commune(home_province):
    names = list(Commune.objects.values_list("name", flat=True))
    assert len(names) > 50
    assert names == sorted(names, key=vietnamese_key)

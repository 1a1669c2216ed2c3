"""Accent-blind folding, the same in Python and in the database."""

import pytest

from provisioning.models import Facility
from provisioning.search import Folded, fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Tâm Đức", "tam duc"),
        ("NHÀ THUỐC HẠNH PHƯỚC", "nha thuoc hanh phuoc"),
        ("Phường Đa Mai", "phuong da mai"),
        ("987/ĐKKDD-BN", "987/dkkdd-bn"),
    ],
)
def test_fold_drops_case_and_diacritics(text, folded):
    assert fold(text) == folded


@pytest.mark.django_db
def test_the_database_folds_as_python_does(facility):
    Facility.objects.filter(pk=facility.pk).update(name="Nhà thuốc Hạnh Phước Đông Anh")
    stored = Facility.objects.annotate(folded=Folded("name")).get(pk=facility.pk).folded
    assert stored == fold("Nhà thuốc Hạnh Phước Đông Anh")

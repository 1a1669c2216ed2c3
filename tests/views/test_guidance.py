"""Guidance PDFs: a province's own guidance reaches its staff and the facilities there that
received an account, never another province's; shared guidance reaches all of them."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from provisioning.models import GuidanceDocument

from ..factories import HOME_PROVINCE, OTHER_PROVINCE, pdf_bytes


def guidance(title, province_id):
    doc = GuidanceDocument(title=title, province_id=province_id)
    doc.file.save("huong-dan.pdf", ContentFile(pdf_bytes(title)), save=True)
    return doc


@pytest.fixture
def hanoi_guidance(other_province):
    return guidance("Hướng dẫn riêng Hà Nội", OTHER_PROVINCE)


def get(client, doc):
    return client.get(reverse("public:guidance", args=[doc.pk]))


def test_facility_with_an_account_reads_its_provinces_and_shared_guidance(as_user, owner, issued):
    client = as_user(owner)
    assert get(client, guidance("Hướng dẫn chung", None)).status_code == 200
    assert get(client, guidance("Hướng dẫn Bắc Ninh", HOME_PROVINCE)).status_code == 200


def test_facility_with_an_account_gets_404_for_another_provinces_guidance(
    as_user, owner, issued, hanoi_guidance
):
    assert get(as_user(owner), hanoi_guidance).status_code == 404


@pytest.mark.parametrize("member", ["reviewer", "approver", "viettel", "admin_member"])
def test_staff_get_404_for_another_provinces_guidance(request, as_user, member, hanoi_guidance):
    assert get(as_user(request.getfixturevalue(member)), hanoi_guidance).status_code == 404


def test_staff_of_the_other_province_read_its_guidance(as_user, other_viettel, hanoi_guidance):
    assert get(as_user(other_viettel), hanoi_guidance).status_code == 200


def test_facility_without_an_account_gets_404_even_for_shared_guidance(as_user, owner, facility):
    assert get(as_user(owner), guidance("Hướng dẫn chung", None)).status_code == 404

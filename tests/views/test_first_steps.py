"""What a newcomer meets first: where each role lands, the words on the queues, the buttons
that would only lead to a refusal."""

import pytest
from django.urls import reverse

from provisioning.models import DossierStatus

from ..factories import MembershipFactory, VendorFactory
from ..flows import dossier_at

pytestmark = pytest.mark.django_db


# Where each role lands


def test_an_approver_lands_on_what_waits_for_approval(as_user, approver):
    response = as_user(approver).get(reverse("home"))
    assert response["Location"] == reverse("review:queue") + "?tab=proposed"
    assert as_user(approver).get(response["Location"]).context["tab"] == "proposed"


def test_a_reviewer_lands_on_the_new_dossiers(as_user, reviewer):
    response = as_user(reviewer).get(reverse("home"))
    assert response["Location"] == reverse("review:queue")
    assert as_user(reviewer).get(response["Location"]).context["tab"] == "new"


def test_an_approver_who_also_reviews_still_lands_on_approvals(as_user, approver):
    MembershipFactory(user=approver, role="reviewer")
    response = as_user(approver).get(reverse("home"))
    assert response["Location"] == reverse("review:queue") + "?tab=proposed"


def test_viettel_lands_on_its_queue_and_a_facility_on_its_home(as_user, viettel, owner):
    assert as_user(viettel).get(reverse("home"))["Location"] == reverse("issuance:queue")
    assert as_user(owner).get(reverse("home"))["Location"] == reverse("facility:home")


def test_the_approvers_menu_leads_to_approvals(as_user, approver):
    page = as_user(approver).get(reverse("profile"))
    assert f'href="{reverse("review:queue")}?tab=proposed"' in page.content.decode()


# Words on the queues


@pytest.mark.parametrize("queue", ["review:queue", "issuance:queue"])
def test_the_queue_column_names_viettels_confirmation(queue, as_user, submitted, reviewer, viettel):
    user = reviewer if queue.startswith("review") else viettel
    page = as_user(user).get(reverse(queue) + "?tab=all").content.decode()
    assert "<th>Viettel xác nhận</th>" in page
    assert "<th>Liên thông</th>" not in page


# A second dossier


def test_the_new_dossier_button_gives_way_to_an_explanation_while_one_is_open(as_user, submitted):
    owner = submitted.facility.owner
    page = as_user(owner).get(reverse("facility:home")).content.decode()
    assert reverse("facility:dossier_create", args=[submitted.facility.pk]) not in page
    assert f"Cơ sở đang có hồ sơ {submitted.code} chưa xử lý xong" in page


def test_a_draft_in_progress_is_pointed_to_instead_of_a_new_dossier(as_user, facility):
    dossier_at(DossierStatus.DRAFT, facility=facility)
    page = as_user(facility.owner).get(reverse("facility:home")).content.decode()
    assert reverse("facility:dossier_create", args=[facility.pk]) not in page
    assert "Cơ sở đang có một bản nháp chưa nộp" in page


def test_after_a_withdrawal_the_facility_may_open_a_new_dossier(as_user, submitted):
    from provisioning.services.dossiers import dossier_withdraw

    owner = submitted.facility.owner
    dossier_withdraw(dossier=submitted, actor=owner, note="")
    page = as_user(owner).get(reverse("facility:home")).content.decode()
    assert reverse("facility:dossier_create", args=[submitted.facility.pk]) in page


# The vendor's name


def test_a_vendor_whose_name_holds_its_short_name_is_not_repeated():
    vendor = VendorFactory(name="Công ty Cổ phần Công nghệ Sapo (KiotViet)", short_name="KiotViet")
    assert vendor.label == "Công ty Cổ phần Công nghệ Sapo (KiotViet)"
    other = VendorFactory(name="Tập đoàn Bưu chính Viễn thông Việt Nam", short_name="VNPT")
    assert other.label == "Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)"


def test_viettels_dossier_page_names_the_vendor_once(as_user, facility, viettel, submitted):
    vendor = facility.vendor
    vendor.name, vendor.short_name = "Công ty Cổ phần Công nghệ Sapo (KiotViet)", "KiotViet"
    vendor.save()
    page = as_user(viettel).get(reverse("issuance:dossier", args=[submitted.pk])).content.decode()
    assert "(KiotViet) (KiotViet)" not in page
    assert "Công ty Cổ phần Công nghệ Sapo (KiotViet)" in page

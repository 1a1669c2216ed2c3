import httpx
import pytest

from provisioning.national import endpoints as ep
from provisioning.national.errors import AccountLocked, Rejected
from provisioning.national.simulator.catalogue import DRUGS_BY_ID

from .conftest import FACILITY, OTHER_FACILITY, USERNAMES, legacy_document

KINDS = {
    "hoa_don": "ma_hoa_don_quoc_gia",
    "phieu_nhap": "ma_phieu_nhap_quoc_gia",
    "phieu_xuat": "ma_phieu_xuat_quoc_gia",
    "don_thuoc": "ma_don_thuoc_quoc_gia",
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_kind_push_returns_a_national_id(legacy_sim, kind):
    with legacy_sim.client() as client:
        result = client.push(kind, legacy_document(kind))
    assert result.national_id
    assert result.status == "completed"


@pytest.mark.parametrize("kind", KINDS)
def test_pushed_record_reads_back_with_its_national_id(legacy_sim, kind):
    with legacy_sim.client() as client:
        result = client.push(kind, legacy_document(kind, "DOC-7"))
        record = client.read_back(kind, FACILITY, "DOC-7")
    assert record[KINDS[kind]] == result.national_id
    assert ep.LEGACY_KINDS[kind].facility_of(record) == FACILITY


def test_replaced_record_reads_back_with_new_content_and_same_national_id(legacy_sim):
    with legacy_sim.client() as client:
        first = client.push("phieu_nhap", legacy_document("phieu_nhap", ghi_chu="cũ"))
        second = client.replace("phieu_nhap", legacy_document("phieu_nhap", ghi_chu="mới"))
        record = client.read_back("phieu_nhap", FACILITY, "X0001")
    assert record["ghi_chu"] == "mới"
    assert second.national_id == first.national_id


def test_replacing_a_record_never_pushed_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected):
        client.replace("hoa_don", legacy_document("hoa_don"))


def test_deleted_record_no_longer_reads_back(legacy_sim):
    with legacy_sim.client() as client:
        client.push("phieu_xuat", legacy_document("phieu_xuat"))
        client.delete("phieu_xuat", FACILITY, "X0001")
        with pytest.raises(Rejected):
            client.read_back("phieu_xuat", FACILITY, "X0001")


def test_pushing_the_same_record_twice_returns_the_same_national_id(legacy_sim):
    with legacy_sim.client() as client:
        first = client.push("hoa_don", legacy_document("hoa_don"))
        again = client.push("hoa_don", legacy_document("hoa_don"))
    assert again.national_id == first.national_id


def test_a_different_record_under_a_used_id_is_refused(legacy_sim):
    with legacy_sim.client() as client:
        client.push("hoa_don", legacy_document("hoa_don"))
        with pytest.raises(Rejected, match="đã tồn tại"):
            client.push("hoa_don", legacy_document("hoa_don", ho_ten_khach_hang="Khác"))


def test_record_for_a_facility_not_on_the_account_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match=OTHER_FACILITY):
        client.push("hoa_don", legacy_document("hoa_don", facility=OTHER_FACILITY))


def test_refused_record_is_kept_in_the_push_log_as_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected):
        client.push("hoa_don", legacy_document("hoa_don", facility=OTHER_FACILITY))
    [push] = legacy_sim.pushes(facility_code=OTHER_FACILITY)
    assert push["ok"] is False
    assert push["dialect"] == "legacy"


def test_refusal_in_the_body_of_an_http_200_keeps_the_system_message(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected) as refused:
        client.push("hoa_don", legacy_document("hoa_don", ngay_ban="2026-03-02"))
    assert refused.value.status == 200
    assert "yyyyMMdd" in refused.value.message


def test_refusal_as_an_http_400_keeps_the_system_message(make_simulator):
    simulator = make_simulator("legacy", error_style="status")
    simulator.add_account(USERNAMES["legacy"])
    with simulator.client() as client, pytest.raises(Rejected) as refused:
        client.push("hoa_don", legacy_document("hoa_don", ngay_ban="2026-03-02"))
    assert refused.value.status == 400
    assert "yyyyMMdd" in refused.value.message


def test_simulator_sends_the_message_both_as_mess_and_as_message(legacy_sim):
    answer = httpx.post(
        legacy_sim.base_url + "/api/tai_khoan/dang_nhap", json={"usr": "nobody", "pwd": "x"}
    ).json()
    assert answer["code"] != "200"
    assert answer["mess"] == answer["message"] != ""


def test_token_is_reused_across_pushes(legacy_sim):
    with legacy_sim.client() as client:
        for number in range(3):
            client.push("hoa_don", legacy_document("hoa_don", f"HD{number}"))
    assert len(legacy_sim.requests("/api/tai_khoan/dang_nhap")) == 1


def test_expired_token_leads_to_one_new_login_and_the_push_goes_through(legacy_sim):
    with legacy_sim.client() as client:
        client.push("hoa_don", legacy_document("hoa_don", "HD1"))
        legacy_sim.expire_tokens()
        client.push("hoa_don", legacy_document("hoa_don", "HD2"))
    assert len(legacy_sim.requests("/api/tai_khoan/dang_nhap")) == 2
    assert len(legacy_sim.pushes(facility_code=FACILITY)) == 2


def test_push_by_a_locked_account_raises_account_locked(legacy_sim):
    with legacy_sim.client() as client:
        client.push("hoa_don", legacy_document("hoa_don", "HD1"))
        legacy_sim.add_account(USERNAMES["legacy"], locked=True)
        with pytest.raises(AccountLocked):
            client.push("hoa_don", legacy_document("hoa_don", "HD2"))


def test_vendor_account_pushes_for_each_of_its_facilities(legacy_sim):
    legacy_sim.add_account("vendor_kiotviet", facility_codes=[FACILITY, OTHER_FACILITY])
    with legacy_sim.client("vendor_kiotviet") as client:
        client.push("hoa_don", legacy_document("hoa_don", facility=FACILITY))
        client.push("hoa_don", legacy_document("hoa_don", facility=OTHER_FACILITY))
    pushes = legacy_sim.pushes(username="vendor_kiotviet")
    assert {p["facility_code"] for p in pushes if p["ok"]} == {FACILITY, OTHER_FACILITY}


def test_bearer_scheme_is_accepted_in_either_case(legacy_sim):
    with legacy_sim.client() as client:
        client.login()
        token = client._session
    answer = httpx.post(
        legacy_sim.base_url + "/api/lien_thong/hoa_don",
        json=legacy_document("hoa_don"),
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert answer["code"] == "200"


# The answer's shape, as every client found reads it


def logged_in_post(simulator, path, document, **headers):
    with simulator.client() as client:
        client.login()
        token = client._session
    return httpx.post(
        simulator.base_url + path,
        json=document,
        headers={"Authorization": f"bearer {token}", **headers},
    ).json()


@pytest.mark.parametrize("kind", KINDS)
def test_simulator_answers_the_national_id_at_the_top_level_next_to_code_and_mess(legacy_sim, kind):
    answer = logged_in_post(legacy_sim, f"/api/lien_thong/{kind}", legacy_document(kind))
    assert answer["code"] == "200"
    assert answer["mess"] == answer["message"] != ""
    assert answer[KINDS[kind]].startswith(("HD", "PN", "PX", "DT"))
    assert not answer.get("data")


def test_client_also_finds_a_national_id_answered_under_data(legacy_sim):
    with legacy_sim.client(headers={"X-Simulate-Id-Place": "data"}) as client:
        result = client.push("phieu_nhap", legacy_document("phieu_nhap"))
    [push] = legacy_sim.pushes(kind="phieu_nhap")
    assert result.national_id == push["national_id"] != ""


# Clinics' prescriptions


def test_clinic_prescription_names_its_clinic_inside_thong_tin_don_vi(legacy_sim):
    document = legacy_document("don_thuoc", "DT-0001")
    assert "ma_co_so" not in document
    with legacy_sim.client() as client:
        result = client.push("don_thuoc", document)
    [push] = legacy_sim.pushes(kind="don_thuoc")
    assert (push["facility_code"], push["record_id"]) == (FACILITY, "DT-0001")
    assert push["document_date"] == "20260302"
    assert push["national_id"] == result.national_id


def test_clinic_prescription_for_another_clinic_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match=OTHER_FACILITY):
        client.push("don_thuoc", legacy_document("don_thuoc", facility=OTHER_FACILITY))


def test_clinic_prescription_with_a_date_in_neither_format_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match="yyyyMMddHHmm"):
        client.push("don_thuoc", legacy_document("don_thuoc", ngay_ke_don="02/03/2026"))


def test_clinic_prescription_dated_by_day_only_is_accepted(legacy_sim):
    with legacy_sim.client() as client:
        result = client.push("don_thuoc", legacy_document("don_thuoc", ngay_ke_don="20260302"))
    assert result.national_id


# The facility's drug list


def a_drug(drug_id=1, **changes):
    return {**ep.legacy_facility_drug(facility_code=FACILITY, drug=DRUGS_BY_ID[drug_id]), **changes}


def test_drugs_added_to_the_facility_list_read_back(legacy_sim):
    with legacy_sim.client() as client:
        client.facility_drug_add(a_drug(1))
        client.facility_drug_add(a_drug(4))
        listed = client.facility_drugs(FACILITY)
        one = client.facility_drugs(FACILITY, "TH000104")
    assert [drug["ma_thuoc"] for drug in listed] == ["TH000101", "TH000104"]
    assert [drug["ten_thuoc"] for drug in one] == ["Amoxicillin 500mg"]


def test_updated_drug_reads_back_with_its_new_price(legacy_sim):
    with legacy_sim.client() as client:
        client.facility_drug_add(a_drug(1))
        client.facility_drug_update(a_drug(1, gia_ban=1200))
        [drug] = client.facility_drugs(FACILITY, "TH000101")
    assert drug["gia_ban"] == 1200


def test_deleted_drug_leaves_the_list(legacy_sim):
    with legacy_sim.client() as client:
        client.facility_drug_add(a_drug(1))
        client.facility_drug_delete(FACILITY, "TH000101")
        assert client.facility_drugs(FACILITY) == []
        with pytest.raises(Rejected, match="TH000101"):
            client.facility_drug_delete(FACILITY, "TH000101")


def test_adding_a_drug_twice_is_refused_and_updating_an_unknown_one_too(legacy_sim):
    with legacy_sim.client() as client:
        client.facility_drug_add(a_drug(1))
        with pytest.raises(Rejected, match="đã có"):
            client.facility_drug_add(a_drug(1))
        with pytest.raises(Rejected, match="Không tìm thấy"):
            client.facility_drug_update(a_drug(2))


def test_drug_without_a_name_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match="ten_thuoc"):
        client.facility_drug_add(a_drug(1, ten_thuoc=""))


def test_drug_list_of_a_facility_not_on_the_account_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match=OTHER_FACILITY):
        client.facility_drugs(OTHER_FACILITY)


def test_drug_list_changes_are_kept_in_the_push_log(legacy_sim):
    with legacy_sim.client() as client:
        client.facility_drug_add(a_drug(1))
        client.facility_drug_update(a_drug(1, gia_ban=1100))
    pushes = legacy_sim.pushes(kind="thuoc_co_so")
    assert [(p["action"], p["record_id"], p["ok"]) for p in pushes] == [
        ("them_thuoc", "TH000101", True),
        ("cap_nhat_thuoc", "TH000101", True),
    ]
    assert all(p["facility_code"] == FACILITY for p in pushes)

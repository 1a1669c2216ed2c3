import httpx
import pytest

from provisioning.national.errors import AccountLocked, Rejected

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
    assert record["ma_co_so"] == FACILITY


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

import dataclasses

import httpx
import pytest

from provisioning.national.errors import Rejected

from .conftest import FACILITY, OTHER_FACILITY, USERNAMES, a_line, v2_document


def test_status_moves_from_accepted_to_processing_to_completed(v2_sim):
    with v2_sim.client() as client:
        transaction_id = client.submit("stock-in", v2_document("opening-balance"))
        seen = [client.status("stock-in", transaction_id).status for _ in range(3)]
    assert seen == ["accepted", "processing", "completed"]


def test_push_polls_until_the_transaction_settles(v2_sim):
    with v2_sim.client() as client:
        result = client.push("stock-in", v2_document("opening-balance"))
    assert result.status == "completed"
    polls = v2_sim.requests(f"/transactions/stock-in/{result.national_id}/status")
    assert len(polls) == 3


def test_status_is_compared_without_regard_to_case(v2_sim):
    with v2_sim.client(headers={"X-Simulate-Status-Case": "upper"}) as client:
        result = client.push("stock-in", v2_document("opening-balance"))
    assert result.status == "completed"


def test_wait_gives_back_an_unsettled_status_after_its_timeout(v2_sim):
    with v2_sim.client() as client:
        transaction_id = client.submit("stock-in", v2_document("opening-balance"))
        current = client.wait("stock-in", transaction_id, timeout=0)
    assert not current.final


def test_stock_out_before_any_opening_balance_is_rejected(v2_sim):
    with v2_sim.client() as client, pytest.raises(Rejected) as refused:
        client.push("stock-out", v2_document("sale-retail"))
    assert refused.value.message == "Chưa nhập phiếu tồn đầu kỳ"
    assert refused.value.record_id


def test_stock_out_after_the_opening_balance_completes(v2_sim):
    with v2_sim.client() as client:
        client.push("stock-in", v2_document("opening-balance", "R1"))
        result = client.push("stock-out", v2_document("sale-retail", "R2"))
    assert result.status == "completed"


def test_opening_balance_of_one_facility_does_not_open_another(v2_sim):
    v2_sim.add_account(USERNAMES["v2"], facility_codes=[FACILITY, OTHER_FACILITY])
    with v2_sim.client() as client:
        client.push("stock-in", v2_document("opening-balance", "R1", FACILITY))
        with pytest.raises(Rejected, match="tồn đầu kỳ"):
            client.push("stock-out", v2_document("sale-retail", "R2", OTHER_FACILITY))


def test_stock_taking_completes(v2_sim):
    with v2_sim.client() as client:
        result = client.push("stock-taking", v2_document(None))
    assert result.status == "completed"


def test_unknown_drug_is_rejected_after_polling(v2_sim):
    with v2_sim.client() as client, pytest.raises(Rejected, match="drug_id=999"):
        client.push(
            "stock-in",
            v2_document("opening-balance", lines=[dataclasses.replace(a_line(), drug_id=999)]),
        )


def test_transaction_for_a_facility_not_on_the_account_is_refused(v2_sim):
    with v2_sim.client() as client, pytest.raises(Rejected, match=OTHER_FACILITY) as refused:
        client.push("stock-in", v2_document("opening-balance", facility=OTHER_FACILITY))
    assert refused.value.status == 403


def test_invalid_reason_is_refused_at_once(v2_sim):
    with v2_sim.client() as client, pytest.raises(Rejected, match="reason") as refused:
        client.submit("stock-out", v2_document("birthday-gift"))
    assert refused.value.status == 422


def test_the_same_transaction_sent_again_keeps_its_id(v2_sim):
    with v2_sim.client() as client:
        first = client.submit("stock-in", v2_document("opening-balance"))
        again = client.submit("stock-in", v2_document("opening-balance"))
    assert again == first


def test_when_every_token_expired_the_client_logs_in_again_without_a_refresh_call(v2_sim):
    with v2_sim.client() as client:
        client.push("stock-in", v2_document("opening-balance", "R1"))
        v2_sim.expire_tokens()
        client.push("stock-in", v2_document("opening-balance", "R2"))
    assert len(v2_sim.requests("/auth/login")) == 2
    assert v2_sim.requests("/auth/refresh") == []
    assert len(v2_sim.pushes(kind="stock-in")) == 2


def test_a_token_refused_with_a_401_leads_to_one_new_login_and_the_call_goes_through(v2_sim):
    with v2_sim.client() as client:
        client.push("stock-in", v2_document("opening-balance", "R1"))
        v2_sim.set_fault("expired-token", count=1, path_prefix="/v2/transactions")
        result = client.push("stock-in", v2_document("opening-balance", "R2"))
    assert result.status == "completed"
    assert len(v2_sim.requests("/auth/login")) == 2
    assert v2_sim.requests("/auth/refresh") == []


class Clock:
    """A clock a test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_token_past_its_announced_lifetime_is_replaced_by_a_login_before_the_call(v2_sim):
    clock = Clock()
    with v2_sim.client(clock=clock) as client:
        client.drugs()
        clock.now += 86400
        client.drugs()
    assert len(v2_sim.requests("/auth/login")) == 2
    assert [r["status"] for r in v2_sim.requests("/master/drugs")] == [200, 200]


def test_token_within_its_announced_lifetime_is_reused(v2_sim):
    clock = Clock()
    with v2_sim.client(clock=clock) as client:
        client.drugs()
        clock.now += 86400 - 60
        client.drugs()
    assert len(v2_sim.requests("/auth/login")) == 1


# Answers with the names one client reads


def test_client_reads_the_id_from_id_and_the_status_from_status_code(v2_sim):
    with v2_sim.client(headers={"X-Simulate-Field-Names": "alternate"}) as client:
        transaction_id = client.submit("stock-in", v2_document("opening-balance"))
        seen = [client.status("stock-in", transaction_id).status for _ in range(3)]
    assert seen == ["accepted", "processing", "completed"]
    [push] = v2_sim.pushes()
    assert push["national_id"] == transaction_id


def test_simulator_answers_the_alternate_names_only_when_asked(v2_sim):
    with v2_sim.client() as client:
        client.login()
        token = client._session.access
    headers = {"Authorization": f"Bearer {token}", "X-Simulate-Field-Names": "alternate"}
    taken = httpx.post(
        v2_sim.base_url + "/transactions/stock-in",
        json=v2_document("opening-balance"),
        headers=headers,
    ).json()
    status = httpx.get(
        v2_sim.base_url + f"/transactions/stock-in/{taken['id']}/status", headers=headers
    ).json()
    assert set(taken) == {"id"}
    assert status["status_code"] == "accepted" and "status" not in status


# The opening balance


def test_stock_out_dated_before_the_opening_balance_is_rejected(v2_sim):
    opening = {**v2_document("opening-balance", "R1"), "transaction_date": "2026-03-05T08:00:00"}
    sale = {**v2_document("sale-retail", "R2"), "transaction_date": "2026-03-04T17:00:00+07:00"}
    with v2_sim.client() as client:
        client.push("stock-in", opening)
        with pytest.raises(Rejected, match="Chưa nhập phiếu tồn đầu kỳ"):
            client.push("stock-out", sale)


def test_stock_out_sent_as_one_client_sends_it_is_rejected_before_an_opening_balance(v2_sim):
    sale = v2_document("sale-retail")
    sale["store_id"] = sale.pop("practice_license_code")
    sale["warehouse_code"] = "KHO01"
    sale["items"][0]["manufacturer"] = {"id": 7, "name": "Công ty CP Dược Hậu Giang"}
    with (
        v2_sim.client(headers={"X-Simulate-Field-Names": "alternate"}) as client,
        pytest.raises(Rejected, match="Chưa nhập phiếu tồn đầu kỳ"),
    ):
        client.push("stock-out", sale)
    [push] = v2_sim.pushes()
    assert (push["facility_code"], push["ok"]) == (FACILITY, False)


def test_drug_catalogue_search_finds_paracetamol_products(v2_sim):
    with v2_sim.client() as client:
        found = client.drugs(search="paracetamol")
    assert found["total"] >= 3
    assert all("Paracetamol" in drug["active_ingredient"] for drug in found["data"])


def test_drug_catalogue_is_paged(v2_sim):
    with v2_sim.client() as client:
        second = client.drugs(page=2, page_size=5)
    assert second["page"] == 2
    assert len(second["data"]) == 5
    assert second["total"] > 10


def test_one_drug_is_read_by_its_id(v2_sim):
    with v2_sim.client() as client:
        drug = client.drug(4)
    assert drug["name"] == "Amoxicillin 500mg"
    assert drug["registration_number"].startswith("VD-")

"""The simulator's activity export, read over HTTP as Sở Y tế staff would download it."""

import csv
import io
from datetime import date

import httpx
import openpyxl

from provisioning.national.client import client_for
from provisioning.national.errors import Rejected

from .conftest import (
    FACILITY,
    FAST,
    OTHER_FACILITY,
    PASSWORD,
    USERNAMES,
    legacy_document,
    v2_document,
)

HEADERS = ["Mã cơ sở", "Tên cơ sở", "Ngày", "Số hóa đơn", "Số phiếu nhập", "Số phiếu xuất"]
NAMES = {FACILITY: "Nhà thuốc Minh Châu", OTHER_FACILITY: "Quầy thuốc Hồng Nhung"}
DAY_1, DAY_2 = date(2026, 3, 2), date(2026, 3, 3)
FAST_LOGIN = {"password": PASSWORD, "policy": FAST}


def download_csv(simulator, **params):
    answer = httpx.get(simulator.root + "/_simulator/activity.csv", params=params)
    answer.raise_for_status()
    return answer, list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_legacy_activity_counts_each_document_once_per_facility_and_day(legacy_sim):
    legacy_sim.add_account(
        USERNAMES["legacy"], facility_codes=[FACILITY, OTHER_FACILITY], facility_names=NAMES
    )
    with legacy_sim.client() as client:
        client.push("phieu_nhap", legacy_document("phieu_nhap", "PN1", day=DAY_1))
        client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1))
        client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1))  # sent again
        client.push("hoa_don", legacy_document("hoa_don", "HD2", day=DAY_1))
        client.push("phieu_xuat", legacy_document("phieu_xuat", "PX1", day=DAY_2))
        client.push("hoa_don", legacy_document("hoa_don", "HD9", OTHER_FACILITY, day=DAY_2))
        try:
            client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1, ghi_chu="khác"))
        except Rejected:
            pass  # refused: a different record under a used id counts for nothing

    answer, rows = download_csv(legacy_sim)

    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="hoat-dong-lien-thong.csv"' in answer.headers["content-disposition"]
    assert rows == [
        HEADERS,
        [OTHER_FACILITY, "Quầy thuốc Hồng Nhung", "03/03/2026", "1", "0", "0"],
        [FACILITY, "Nhà thuốc Minh Châu", "02/03/2026", "2", "1", "0"],
        [FACILITY, "Nhà thuốc Minh Châu", "03/03/2026", "0", "0", "1"],
    ]


def test_v2_activity_counts_retail_sales_as_invoices_and_other_stock_outs_as_issues(v2_sim):
    def on(day, document):
        return {**document, "transaction_date": f"{day.isoformat()}T09:00:00+07:00"}

    with v2_sim.client() as client:
        client.push("stock-in", on(DAY_1, v2_document("opening-balance", "R1")))
        client.push("stock-out", on(DAY_1, v2_document("sale-retail", "R2")))
        client.push("stock-out", on(DAY_2, v2_document("sale-retail", "R3")))
        client.push("stock-out", on(DAY_2, v2_document("destroy", "R4")))
        client.push("stock-taking", on(DAY_2, v2_document(None, "R5")))

    _, rows = download_csv(v2_sim)

    assert rows[1:] == [
        [FACILITY, "", "02/03/2026", "1", "1", "0"],
        [FACILITY, "", "03/03/2026", "1", "0", "1"],
    ]


def test_a_rejected_transaction_is_no_activity(v2_sim):
    with v2_sim.client() as client:
        try:
            client.push("stock-out", v2_document("sale-retail"))
        except Rejected:
            pass  # no opening balance yet

    _, rows = download_csv(v2_sim)

    assert rows == [HEADERS]


def test_xlsx_has_the_same_rows_with_real_dates_shown_as_dd_mm_yyyy(legacy_sim):
    legacy_sim.add_account(USERNAMES["legacy"], facility_names=NAMES)
    with legacy_sim.client() as client:
        client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1))

    answer = httpx.get(legacy_sim.root + "/_simulator/activity.xlsx")

    assert answer.status_code == 200
    assert 'filename="hoat-dong-lien-thong.xlsx"' in answer.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    header, row = sheet.iter_rows(values_only=True)
    assert list(header) == HEADERS
    assert row[:2] == (FACILITY, "Nhà thuốc Minh Châu")
    assert row[2].date() == DAY_1  # an Excel date (openpyxl reads it as a naive datetime)
    assert row[3:] == (1, 0, 0)
    assert sheet.cell(2, 3).number_format == "dd/mm/yyyy"


def test_each_server_exports_its_own_system_and_one_for_both_can_choose(make_simulator):
    both = make_simulator("both")
    both.add_account(USERNAMES["legacy"], dialect="legacy")
    both.add_account(USERNAMES["v2"], dialect="v2")
    with (
        client_for(
            "legacy", both.base_url, username=USERNAMES["legacy"], **FAST_LOGIN
        ) as legacy_client,
        client_for(
            "v2", both.base_url + "/v2", username=USERNAMES["v2"], **FAST_LOGIN
        ) as v2_client,
    ):
        legacy_client.push("hoa_don", legacy_document("hoa_don", "HD1", day=DAY_1))
        v2_client.poll_interval = 0
        v2_client.push("stock-in", v2_document("opening-balance"))

    _, everything = download_csv(both)
    _, only_v2 = download_csv(both, dialect="v2")

    assert [row[2:] for row in everything[1:]] == [["02/03/2026", "1", "1", "0"]]
    assert [row[2:] for row in only_v2[1:]] == [["02/03/2026", "0", "1", "0"]]


# Narrowing the file, and a file as it comes back from hands

THIRD_FACILITY = "25-000031"  # another province


def busy(simulator):
    """Three facilities (one in another province), each with an invoice on two days."""
    codes = [FACILITY, OTHER_FACILITY, THIRD_FACILITY]
    simulator.add_account(USERNAMES["legacy"], facility_codes=codes, facility_names=NAMES)
    with simulator.client() as client:
        for day in (DAY_1, DAY_2):
            for code in codes:
                client.push("hoa_don", legacy_document("hoa_don", f"HD{day:%d}", code, day=day))
    return simulator


def test_activity_is_narrowed_to_a_period_and_a_province(legacy_sim):
    busy(legacy_sim)

    _, second_day = download_csv(legacy_sim, **{"from": "2026-03-03", "to": "2026-03-03"})
    _, province = download_csv(legacy_sim, province="25")

    assert {row[2] for row in second_day[1:]} == {"03/03/2026"}
    assert len(second_day) == 1 + 3
    assert [row[0] for row in province[1:]] == [THIRD_FACILITY, THIRD_FACILITY]


def test_a_period_that_is_not_a_date_is_refused(legacy_sim):
    answer = httpx.get(legacy_sim.root + "/_simulator/activity.csv", params={"from": "3/3/2026"})
    assert answer.status_code == 400


def normalized(rows):
    """What an importer must make of a messy file: trimmed upper-case codes, days from
    text, blank lines skipped, repeated rows once."""
    facts = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        day = "/".join(part.zfill(2) for part in row[2].split("/"))
        fact = [row[0].strip().upper(), row[1], day, *row[3:]]
        if fact not in facts:
            facts.append(fact)
    return facts


def test_a_messy_csv_holds_the_same_facts_behind_the_mess(legacy_sim):
    busy(legacy_sim)

    _, clean = download_csv(legacy_sim)
    _, messy = download_csv(legacy_sim, messy="1")

    assert messy[0] == HEADERS
    assert messy[1] == messy[2]  # a repeated row
    assert [] in messy  # a blank line
    assert any(row and row[0] != row[0].strip() for row in messy)  # a padded code
    assert any(row and row[2] == "2/3/2026" for row in messy)  # an unpadded day
    assert normalized(messy[1:]) == clean[1:]


def test_a_messy_xlsx_mixes_excel_dates_with_days_as_text_and_keeps_a_blank_row(legacy_sim):
    busy(legacy_sim)

    answer = httpx.get(legacy_sim.root + "/_simulator/activity.xlsx", params={"messy": "1"})

    rows = list(
        openpyxl.load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True)
    )
    days = [row[2] for row in rows[1:] if any(row)]
    assert {type(day).__name__ for day in days} == {"datetime", "str"}
    assert any(not any(row) for row in rows)
    assert len([row for row in rows[1:] if any(row)]) == 6 + 1

"""The national systems' activity exports, imported as evidence that data arrived."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from provisioning.monitoring.activity import (
    activity_import,
    build_dataset,
    default_mapping,
    read_rows,
)
from provisioning.monitoring.models import (
    AccountDay,
    ActivityDay,
    MonitoringState,
    MonitoringStatus,
    StatusChange,
)
from provisioning.monitoring.services import monitoring_sweep

from .factories import HandedOverAccountFactory

HEADER = "Mã cơ sở,Tên cơ sở,Ngày,Số hóa đơn,Số phiếu nhập,Số phiếu xuất\n"
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def dmy(day):
    return day.strftime("%d/%m/%Y")


def csv_file(*lines):
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode("utf-8-sig")


def run(content, filename="hoat-dong.csv", **options):
    headers, rows = read_rows(content, filename)
    dataset = build_dataset(headers, rows, default_mapping(headers))
    return activity_import(dataset, system="legacy", **options)


@pytest.fixture
def account(db):
    return HandedOverAccountFactory(facility_code="24-008179")


@pytest.fixture
def quiet_account(db):
    return HandedOverAccountFactory(facility_code="24-000001")


def test_a_file_imports_its_counts_and_names_unknown_codes_and_quiet_accounts(
    account, quiet_account
):
    summary = run(
        csv_file(
            f"24-008179,Nhà thuốc Hồng Phúc,{dmy(YESTERDAY)},12,1,0",
            f"24-999999,Không có tài khoản,{dmy(YESTERDAY)},3,0,0",
        )
    )

    assert not summary.errors
    assert (summary.new, summary.matched_accounts) == (1, 1)
    assert summary.unknown_codes == ["24-999999"]
    assert summary.without_activity == ["24-000001"]
    day = ActivityDay.objects.get()
    assert (day.account, day.day, day.invoices, day.receipts, day.issues) == (
        account,
        YESTERDAY,
        12,
        1,
        0,
    )


def test_activity_in_the_file_makes_a_waiting_account_active_through_the_status_service(
    account,
):
    summary = run(csv_file(f"24-008179,,{dmy(YESTERDAY)},2,0,0"))

    assert summary.status_changes == 1
    state = MonitoringState.objects.get(pk=account.pk)
    assert state.status == MonitoringStatus.ACTIVE
    assert timezone.localdate(state.last_data_at) == YESTERDAY
    change = StatusChange.objects.get(account=account, reason="first_data")
    assert change.evidence["source"] == "activity_export"


def test_a_silent_account_with_recent_activity_in_the_file_is_active_again(account):
    monitoring_sweep(at=timezone.now() + datetime.timedelta(days=20))
    assert MonitoringState.objects.get(pk=account.pk).status == MonitoringStatus.SILENT

    run(csv_file(f"24-008179,,{dmy(TODAY)},0,0,4"), now=timezone.now())

    assert MonitoringState.objects.get(pk=account.pk).status == MonitoringStatus.ACTIVE


def test_a_day_without_documents_is_no_evidence(account):
    summary = run(csv_file(f"24-008179,,{dmy(YESTERDAY)},0,0,0"))

    assert summary.without_activity == ["24-008179"]
    assert not StatusChange.objects.filter(reason="first_data").exists()


def test_messy_rows_still_import(account, quiet_account):
    summary = run(
        csv_file(
            f"  24-008179 ,Nhà thuốc,{YESTERDAY.day}/{YESTERDAY.month}/{YESTERDAY.year},5,0,0",
            "",
            ",,,,,",
            f"  24-008179 ,Nhà thuốc,{YESTERDAY.day}/{YESTERDAY.month}/{YESTERDAY.year},5,0,0",
            f"24-000001 ,Nhà thuốc B,{dmy(YESTERDAY)},1,2,3",
        )
    )

    assert summary.errors == []
    assert (summary.new, summary.repeated) == (2, 1)
    assert ActivityDay.objects.count() == 2


def test_lower_case_codes_match(db):
    account = HandedOverAccountFactory(facility_code="HN-A0001")

    run(csv_file(f" hn-a0001,,{dmy(YESTERDAY)},1,0,0"))

    assert ActivityDay.objects.get().account == account


def test_excel_dates_and_serial_numbers_import(account, quiet_account):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["24-008179", "A", datetime.datetime.combine(YESTERDAY, datetime.time()), 1, 0, 0])
    sheet.append([])
    serial = (YESTERDAY - datetime.date(1899, 12, 30)).days
    sheet.append(["24-000001", "B", serial, 0, 1, 0])
    body = io.BytesIO()
    workbook.save(body)

    summary = run(body.getvalue(), "hoat-dong.xlsx")

    assert summary.errors == []
    assert set(ActivityDay.objects.values_list("day", flat=True)) == {YESTERDAY}
    assert ActivityDay.objects.count() == 2


def test_row_errors_name_the_file_line_in_vietnamese_and_nothing_is_saved(account):
    summary = run(
        csv_file(
            f"24-008179,,{dmy(YESTERDAY)},1,0,0",
            "",
            "24-008179,,31/02/2026,1,0,0",
            f"24-008179,,{dmy(TODAY)},nhiều,0,0",
        )
    )

    lines = [line for line, _message in summary.errors]
    assert lines == [4, 5]
    assert "dd/mm/yyyy" in summary.errors[0][1]
    assert "không phải là một số nguyên" in summary.errors[1][1]
    assert not ActivityDay.objects.exists()
    assert not StatusChange.objects.filter(reason="first_data").exists()


def test_two_rows_for_one_day_with_different_counts_are_an_error(account):
    summary = run(
        csv_file(f"24-008179,,{dmy(YESTERDAY)},1,0,0", f"24-008179,,{dmy(YESTERDAY)},2,0,0")
    )

    assert summary.errors and summary.errors[0][0] == 3
    assert "dòng 2" in summary.errors[0][1]


def test_a_second_identical_import_changes_nothing(account):
    content = csv_file(f"24-008179,,{dmy(YESTERDAY)},7,1,1")
    run(content)
    before = (
        list(ActivityDay.objects.values_list("invoices", "receipts", "issues", "imported_at")),
        StatusChange.objects.count(),
        MonitoringState.objects.get(pk=account.pk).last_data_at,
    )

    summary = run(content)

    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 1)
    after = (
        list(ActivityDay.objects.values_list("invoices", "receipts", "issues", "imported_at")),
        StatusChange.objects.count(),
        MonitoringState.objects.get(pk=account.pk).last_data_at,
    )
    assert after == before


def test_the_import_keeps_its_counts_apart_from_the_reported_daily_counts(account):
    run(csv_file(f"24-008179,,{dmy(YESTERDAY)},7,0,0"))
    run(csv_file(f"24-008179,,{dmy(YESTERDAY)},7,0,0"))

    assert not AccountDay.objects.exists()
    assert ActivityDay.objects.get().invoices == 7


def test_a_dry_run_saves_nothing_and_moves_no_status(account):
    summary = run(csv_file(f"24-008179,,{dmy(YESTERDAY)},7,0,0"), dry_run=True)

    assert summary.new == 1
    assert not ActivityDay.objects.exists()
    assert not MonitoringState.objects.filter(status=MonitoringStatus.ACTIVE).exists()


def test_codes_of_another_province_count_as_unknown(account, other_province):
    headers, rows = read_rows(csv_file(f"24-008179,,{dmy(YESTERDAY)},1,0,0"), "a.csv")
    dataset = build_dataset(headers, rows, default_mapping(headers))

    summary = activity_import(dataset, system="legacy", provinces={other_province.pk})

    assert summary.unknown_codes == ["24-008179"]
    assert not ActivityDay.objects.exists()


def test_the_command_prints_the_summary_and_dry_run_saves_nothing(account, tmp_path, capsys):
    path = tmp_path / "hoat-dong.csv"
    path.write_bytes(csv_file(f"24-008179,,{dmy(YESTERDAY)},1,0,0", "24-1,,01/01/2026,1,0,0"))

    call_command("import_activity", str(path), "--dry-run")
    dry = capsys.readouterr().out
    assert not ActivityDay.objects.exists()
    call_command("import_activity", str(path))
    done = capsys.readouterr().out

    assert "Khớp tài khoản: 1." in dry
    assert "Mã không có tài khoản: 1 (24-1)." in done
    assert ActivityDay.objects.count() == 1


def test_the_command_refuses_a_file_with_row_errors(account, tmp_path):
    path = tmp_path / "hoat-dong.csv"
    path.write_bytes(csv_file("24-008179,,hôm qua,1,0,0"))

    with pytest.raises(CommandError):
        call_command("import_activity", str(path))

    assert not ActivityDay.objects.exists()

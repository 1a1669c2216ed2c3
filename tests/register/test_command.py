import csv

import pytest
from django.core.management import CommandError, call_command

from provisioning.models import RegisterEntry

from .helpers import csv_file, row


def _run(path, *args):
    from io import StringIO

    out = StringIO()
    call_command("import_register", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def register_file(tmp_path, home_province):
    path = tmp_path / "so.csv"
    path.write_bytes(
        csv_file(
            [
                row("01", commune="P. Đáp Cầu", district="TP. Bắc Ninh"),
                row("02", commune="Nơi Không Có"),
                row("03", date="2021-13-45"),
                row("01"),
            ]
        )
    )
    return path


def test_import_register_prints_one_summary_line(register_file):
    output = _run(register_file)

    assert output == "created=1 updated=0 unchanged=0 duplicate=1 errors=1 review=1\n"
    assert RegisterEntry.objects.count() == 2


def test_dry_run_prints_the_same_line_and_saves_nothing(register_file):
    output = _run(register_file, "--dry-run")

    assert output == "dry-run created=1 updated=0 unchanged=0 duplicate=1 errors=1 review=1\n"
    assert not RegisterEntry.objects.exists()


def test_report_has_one_line_per_input_row(register_file, tmp_path):
    report = tmp_path / "ket-qua.csv"

    _run(register_file, "--report", str(report))

    with open(report, encoding="utf-8") as stream:
        lines = list(csv.reader(stream))
    assert lines[0] == ["row", "certificate_number", "outcome", "commune_code", "message"]
    assert [line[:4] for line in lines[1:]] == [
        ["3", "01", "created", "9169"],
        ["4", "02", "review", ""],
        ["5", "03", "error", ""],
        ["6", "01", "duplicate", ""],
    ]
    assert "Dòng 5, cột “Ngày cấp”" in lines[3][4]
    assert "dòng 3" in lines[4][4]


def test_second_run_reports_unchanged(register_file):
    _run(register_file)

    assert _run(register_file) == (
        "created=0 updated=0 unchanged=1 duplicate=1 errors=1 review=1\n"
    )


def test_an_unreadable_file_is_a_clear_error(tmp_path, home_province):
    path = tmp_path / "so.pdf"
    path.write_bytes(b"%PDF")

    with pytest.raises(CommandError, match="Excel"):
        _run(path)

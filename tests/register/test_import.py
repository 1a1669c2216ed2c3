import datetime

import pytest

from provisioning.models import AuditEvent, RegisterEntry
from provisioning.register.matching import CommuneMatcher
from provisioning.register.resources import RegisterFileError
from provisioning.register.services import (
    register_entry_choose_commune,
    register_entry_upsert,
    run_import,
)

from .helpers import HEADER, csv_file, row, xlsx_file

DAP_CAU_NOW_VU_NINH = 9169
CHO_NOW_YEN_PHONG = 9193


def _import(province, content, name="so-cap-phep.csv", **kwargs):
    return run_import(province=province, content=content, file_name=name, **kwargs)


def _outcomes(rows):
    return {r.row_number: (r.outcome, r.commune_code) for r in rows}


@pytest.fixture
def messy_register():
    return xlsx_file(
        [
            row("001/ĐKKDD-BN", commune="P. ĐÁP CẦU", district="TP. BẮC NINH"),
            row(
                "002/ĐKKDD-BN",
                name="QUẦY THUỐC SỐ 2",
                kind="quay thuoc",
                commune="tt cho",
                district="h yen phong",
                province="Tinh Bac Ninh",
                date=datetime.datetime(2019, 5, 6),  # noqa: DTZ001 (a cell's naive date)
            ),
            [],
            row("003/ĐKKDD-BN", kind="Tủ thuốc trạm y tế", commune="Xã Đông Sơn", district=""),
            row("004/ĐKKDD-BN", commune="Phường Không Có", district="TP. Bắc Ninh"),
            row("005/ĐKKDD-BN", date="31/02/2021"),
            row("001/ĐKKDD-BN", name="Dòng lặp lại"),
        ]
    )


def test_messy_register_gives_the_right_communes_and_sends_the_rest_to_review(
    home_province, messy_register
):
    counts, rows = _import(home_province, messy_register, "so.xlsx")

    # Sheet rows: title, blank, header on row 3; data from row 4, a blank line at row 6.
    assert _outcomes(rows) == {
        4: ("created", DAP_CAU_NOW_VU_NINH),
        5: ("created", CHO_NOW_YEN_PHONG),
        7: ("review", None),
        8: ("review", None),
        9: ("error", None),
        10: ("duplicate", None),
    }
    assert counts == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 1,
        "error": 1,
        "review": 2,
    }
    counter = RegisterEntry.objects.get(certificate_number="002/ĐKKDD-BN")
    assert counter.kind == "quay_thuoc"
    assert counter.certificate_date == datetime.date(2019, 5, 6)
    assert counter.old_commune == "tt cho"
    ambiguous = RegisterEntry.objects.get(certificate_number="003/ĐKKDD-BN")
    assert ambiguous.commune is None
    assert sorted(ambiguous.commune_candidates) == [7294, 7696]  # Đồng Sơn and Đông Sơn
    unknown = RegisterEntry.objects.get(certificate_number="004/ĐKKDD-BN")
    assert unknown.commune is None and unknown.commune_candidates == []
    bad_date = next(r for r in rows if r.row_number == 9)
    assert "Dòng 9, cột “Ngày cấp”" in bad_date.message
    assert "31/02/2021" in bad_date.message
    assert not RegisterEntry.objects.filter(certificate_number="005/ĐKKDD-BN").exists()


def test_a_commune_split_between_new_communes_waits_for_a_person(other_province):
    # Phường Ngọc Hà (Ba Đình, Hà Nội) went partly to Phường Ba Đình, partly to Phường Ngọc Hà.
    counts, rows = _import(
        other_province, csv_file([row("01/HN", commune="P. Ngọc Hà", district="Q. Ba Đình")])
    )

    assert counts["review"] == 1
    assert "nhiều xã, phường mới" in rows[0].message
    assert RegisterEntry.objects.get().commune_candidates == [4, 8]


def test_a_preview_saves_nothing(home_province, messy_register):
    counts, rows = _import(home_province, messy_register, "so.xlsx", dry_run=True)

    assert counts["created"] == 2
    assert not RegisterEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_same_file_twice_changes_nothing(home_province, messy_register):
    _import(home_province, messy_register, "so.xlsx")
    entries = list(RegisterEntry.objects.values())
    events = AuditEvent.objects.count()

    counts, _rows = _import(home_province, messy_register, "so.xlsx")

    assert counts == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "duplicate": 1,
        "error": 1,
        "review": 2,
    }
    assert list(RegisterEntry.objects.values()) == entries
    assert AuditEvent.objects.count() == events


def test_a_newer_file_updates_what_changed_and_audits_the_fields(home_province):
    _import(home_province, csv_file([row("01"), row("02")]))

    counts, rows = _import(
        home_province,
        csv_file(
            [
                row("01", name="Nhà thuốc An Khang 2"),
                row("02", commune="TT. Chờ", district="H. Yên Phong"),
            ]
        ),
    )

    assert counts["updated"] == 2 and counts["unchanged"] == 0
    first = RegisterEntry.objects.get(certificate_number="01")
    assert first.name == "Nhà thuốc An Khang 2"
    moved = RegisterEntry.objects.get(certificate_number="02")
    assert moved.commune_id == CHO_NOW_YEN_PHONG
    event = AuditEvent.objects.filter(action="register.updated").order_by("pk").first()
    assert event.data["fields"] == ["name"]
    assert event.data["certificate_number"] == "01"


def test_a_commune_chosen_by_a_person_survives_the_next_import(home_province, reviewer):
    content = csv_file([row("01", commune="Phường Không Có")])
    _import(home_province, content)
    entry = RegisterEntry.objects.get()
    commune = home_province.communes.get(pk=DAP_CAU_NOW_VU_NINH)

    register_entry_choose_commune(entry=entry, commune=commune, actor=reviewer)
    counts, rows = _import(home_province, content)

    entry.refresh_from_db()
    assert entry.commune_id == DAP_CAU_NOW_VU_NINH
    assert counts["unchanged"] == 1
    assert rows[0].commune_code == DAP_CAU_NOW_VU_NINH
    event = AuditEvent.objects.get(action="register.commune_chosen")
    assert event.actor == reviewer and event.data["to"] == DAP_CAU_NOW_VU_NINH


def test_a_manual_edit_goes_through_the_same_upsert(home_province, reviewer):
    _import(home_province, csv_file([row("01")]))

    entry, outcome, changed = register_entry_upsert(
        province=home_province,
        fields={"certificate_number": "01", "phone": "0988000111"},
        actor=reviewer,
    )

    assert outcome == "updated" and changed == ["phone"]
    assert AuditEvent.objects.filter(action="register.updated", actor=reviewer).count() == 1


def test_headers_are_found_under_variants_and_missing_columns_are_named(home_province):
    variant = [h.upper() for h in HEADER]
    variant[3] = "so giay chung nhan"
    variant[8] = "Phường/Xã"
    counts, rows = _import(home_province, csv_file([row("01")], header=variant))
    assert counts["created"] == 1

    with pytest.raises(RegisterFileError, match="Loại hình"):
        _import(
            home_province, csv_file([row("01")[:2] + row("01")[3:]], header=HEADER[:2] + HEADER[3:])
        )


def test_a_bad_kind_and_email_are_row_errors_naming_the_column(home_province):
    counts, rows = _import(
        home_province, csv_file([row("01", kind="Cửa hàng", email="khong-phai")])
    )

    assert counts["error"] == 1
    assert "cột “Loại hình”" in rows[0].message
    assert "cột “Email”" in rows[0].message


def test_the_matcher_reads_abbreviations_case_and_missing_diacritics():
    matcher = CommuneMatcher(24)

    assert matcher.place("P.ĐÁP CẦU", "TP.BẮC NINH").code == DAP_CAU_NOW_VU_NINH
    assert matcher.place("phuong dap cau", "thanh pho bac ninh", "bac ninh").code == (
        DAP_CAU_NOW_VU_NINH
    )
    assert matcher.place("Thị trấn Chờ", "Huyện Yên Phong").code == CHO_NOW_YEN_PHONG
    assert matcher.place("Đáp Cầu", "", "Hà Nội").code is None


def test_an_address_of_a_merged_province_is_placed_under_either_name():
    matcher = CommuneMatcher(24)
    # Xã Tân Trung, Huyện Tân Yên was in Bắc Giang, which merged into Bắc Ninh: now Nhã Nam.
    for province in ("Bắc Giang", "Tỉnh Bắc Ninh", ""):
        assert matcher.place("Xã Tân Trung", "Huyện Tân Yên", province).code == 7306, province
    assert matcher.place("Xã Tân Trung", "Huyện Tân Yên", "Tỉnh Bắc Ninh (cũ)").code is None


def test_each_row_is_told_about_its_own_spelling():
    matcher = CommuneMatcher(24)

    first = matcher.place("XÃ KHÔNG CÓ", "")
    second = matcher.place("xa khong co", "")

    assert "“XÃ KHÔNG CÓ”" in first.message
    assert "“xa khong co”" in second.message

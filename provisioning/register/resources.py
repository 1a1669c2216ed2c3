"""Reading a register file as licensing systems export it (XLSX through openpyxl, which
django-import-export[xlsx] brings, or CSV): the header row found under any title rows, each
row turned into an entry's fields or into errors that name the row and the column."""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Facility
from ..search import fold

# Field -> (the column's name as staff know it, the headers registers use for it, folded).
COLUMNS = {
    "name": (gettext_lazy("Tên cơ sở"), ("ten co so", "ten nha thuoc", "ten co so kinh doanh")),
    "kind": (gettext_lazy("Loại hình"), ("loai hinh", "loai hinh kinh doanh", "loai hinh co so")),
    "certificate_number": (
        gettext_lazy("Số GCN ĐĐKKD dược"),
        (
            "so gcn ddkkd duoc",
            "so gcn ddkkd",
            "so gcn",
            "so gcn dkkd duoc",
            "so giay chung nhan",
            "so giay chung nhan ddkkd duoc",
            "so giay chung nhan du dieu kien kinh doanh duoc",
            "so chung nhan",
        ),
    ),
    "certificate_date": (
        gettext_lazy("Ngày cấp"),
        ("ngay cap", "ngay cap gcn", "ngay cap giay chung nhan"),
    ),
    "pharmacist_name": (
        gettext_lazy("Người phụ trách chuyên môn"),
        (
            "nguoi phu trach chuyen mon",
            "nguoi ptcm",
            "duoc si phu trach chuyen mon",
            "duoc si phu trach",
        ),
    ),
    "practising_certificate": (
        gettext_lazy("Số CCHN"),
        (
            "so cchn",
            "so cchn duoc",
            "cchn",
            "so chung chi hanh nghe",
            "so chung chi hanh nghe duoc",
        ),
    ),
    "address": (gettext_lazy("Địa chỉ"), ("dia chi", "dia chi chi tiet", "so nha duong")),
    "old_commune": (
        gettext_lazy("Xã/Phường"),
        ("xa phuong", "phuong xa", "xa phuong thi tran", "phuong xa thi tran", "xa", "phuong"),
    ),
    "old_district": (
        gettext_lazy("Quận/Huyện"),
        ("quan huyen", "huyen quan", "quan huyen thi xa", "huyen", "quan"),
    ),
    "old_province": (gettext_lazy("Tỉnh/TP"), ("tinh tp", "tinh thanh pho", "tinh", "tinh thanh")),
    "phone": (gettext_lazy("Điện thoại"), ("dien thoai", "so dien thoai", "sdt", "dt")),
    "email": (gettext_lazy("Email"), ("email", "e mail", "thu dien tu")),
    "tax_code": (gettext_lazy("Mã số thuế"), ("ma so thue", "mst")),
}
REQUIRED = ("certificate_number", "name", "kind")
HEADER_LOOKUP = {alias: name for name, (_label, aliases) in COLUMNS.items() for alias in aliases}
# How far down a title block may push the header row.
HEADER_SEARCH_ROWS = 20
# Checked in order: "Tủ thuốc trạm y tế" before the "thuốc" of a pharmacy.
KINDS = (
    ("tu thuoc", Facility.Kind.COMMUNE_CABINET),
    ("quay thuoc", Facility.Kind.DRUG_COUNTER),
    ("nha thuoc", Facility.Kind.PHARMACY),
    ("ban buon", Facility.Kind.WHOLESALER),
    ("phong kham", Facility.Kind.CLINIC),
    ("benh vien", Facility.Kind.HOSPITAL),
)
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_LENGTHS = {
    "certificate_number": 50,
    "name": 255,
    "pharmacist_name": 150,
    "practising_certificate": 50,
    "address": 255,
    "old_commune": 100,
    "old_district": 100,
    "old_province": 100,
    "phone": 50,
    "email": 254,
    "tax_code": 20,
}


class RegisterFileError(Exception):
    """The file as a whole cannot be read (no header, unknown format)."""


@dataclass
class Row:
    number: int
    fields: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


def header_key(value):
    return re.sub(r"[^0-9a-z]+", " ", fold(str(value or ""))).strip()


def read_table(content, file_name):
    """[(row number in the sheet, [cell values])] of the file's first sheet."""
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        # openpyxl directly, not import-export's XLSX format: that one takes the first row as
        # the header and refuses rows of another width, as a title row above the header is.
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            rows = [list(values) for values in book.active.iter_rows(values_only=True)]
            book.close()
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise RegisterFileError(_("Không đọc được tệp Excel.")) from exc
    elif file_name.lower().endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise RegisterFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    return list(enumerate(rows, start=1))


def _recognised(cells):
    mapping = {}
    for column, cell in enumerate(cells):
        name = HEADER_LOOKUP.get(header_key(cell))
        if name and name not in mapping.values():
            mapping[column] = name
    return mapping


def _check_required(mapping):
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in mapping.values()]
    if missing:
        raise RegisterFileError(
            _("Tệp thiếu cột: %(columns)s.") % {"columns": ", ".join(map(str, missing))}
        )


def find_header(table):
    """(index of the header row, {column index: field}); the first row naming the
    certificate number and at least two other known columns."""
    for index, (_number, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        mapping = _recognised(cells)
        if "certificate_number" in mapping.values() and len(mapping) >= 3:
            _check_required(mapping)
            return index, mapping
    raise RegisterFileError(
        _(
            "Không tìm thấy dòng tiêu đề (cần có các cột “Số GCN ĐĐKKD dược”, “Tên cơ sở”, "
            "“Loại hình”)."
        )
    )


def guess_header(table):
    """(row number, [header texts], {column index: field}) for a person to correct: the row
    with the most known headers, else the first with three filled cells."""
    rows = table[:HEADER_SEARCH_ROWS]
    best = max(rows, key=lambda item: len(_recognised(item[1])), default=None)
    if best is None or not _recognised(best[1]):
        best = next((r for r in rows if sum(bool(_text(c)) for c in r[1]) >= 3), best)
    if best is None:
        raise RegisterFileError(_("Tệp không có dữ liệu."))
    number, cells = best
    return number, [_text(cell) for cell in cells], _recognised(cells)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number Excel stored for a tax code or a phone
    return re.sub(r"\s+", " ", str(value)).strip()


def parse_date(value):
    """A date from a cell: Excel's own date, its serial number, or text; ValueError if none."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = _text(value)
    if re.fullmatch(r"\d{5}", text):
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise ValueError(text)


def parse_kind(value):
    key = header_key(value)
    for marker, kind in KINDS:
        if marker in key:
            return kind
    return None


def parse_row(number, cells, mapping, labels=None):
    """A `Row` with the entry's fields, or with the errors found (row and column named, as
    the file's header names the column)."""
    labels = labels or {}
    row = Row(number)
    raw = {name: cells[column] if column < len(cells) else None for column, name in mapping.items()}
    for name in mapping.values():
        if name in ("certificate_date", "kind"):
            continue
        row.fields[name] = _text(raw[name])
    row.fields["certificate_number"] = row.fields["certificate_number"].upper()
    row.fields.setdefault("certificate_date", None)

    def error(name, message):
        row.errors.append(
            _("Dòng %(row)s, cột “%(column)s”: %(message)s")
            % {"row": number, "column": labels.get(name) or COLUMNS[name][0], "message": message}
        )

    for name in ("certificate_number", "name"):
        if not row.fields[name]:
            error(name, _("không được để trống."))
    kind_text = _text(raw["kind"])
    row.fields["kind"] = parse_kind(kind_text)
    if row.fields["kind"] is None:
        error("kind", _("không nhận ra loại hình “%(value)s”.") % {"value": kind_text})
    if "certificate_date" in mapping.values() and _text(raw["certificate_date"]):
        try:
            row.fields["certificate_date"] = parse_date(raw["certificate_date"])
        except (ValueError, OverflowError):
            error(
                "certificate_date",
                _("ngày “%(value)s” không hợp lệ (cần dạng ngày/tháng/năm).")
                % {"value": _text(raw["certificate_date"])},
            )
    if row.fields.get("email"):
        try:
            validate_email(row.fields["email"])
        except ValidationError:
            error(
                "email", _("địa chỉ thư “%(value)s” không hợp lệ.") % {"value": row.fields["email"]}
            )
    for name, limit in MAX_LENGTHS.items():
        if len(row.fields.get(name) or "") > limit:
            error(name, _("dài quá %(limit)s ký tự.") % {"limit": limit})
    return row


def read_register(content, file_name, columns=None):
    """Yield a `Row` per non-blank input row; RegisterFileError if the file is unreadable.

    `columns`, when a person mapped them: {"row": the header's row number, "fields":
    {column index: field}}; otherwise the header is found by its known names."""
    table = read_table(content, file_name)
    if columns:
        header_index = next(
            (i for i, (number, _cells) in enumerate(table) if number == columns["row"]), None
        )
        if header_index is None:
            raise RegisterFileError(_("Dòng tiêu đề đã chọn không có trong tệp."))
        mapping = {int(column): name for column, name in columns["fields"].items() if name}
        _check_required(mapping)
    else:
        header_index, mapping = find_header(table)
    header = table[header_index][1]
    labels = {
        name: _text(header[column]) if column < len(header) else ""
        for column, name in mapping.items()
    }
    for number, cells in table[header_index + 1 :]:
        if all(_text(cell) == "" for cell in cells):
            continue
        yield parse_row(number, cells, mapping, labels)

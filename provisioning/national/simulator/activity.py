"""The simulator's activity per facility code and day, as a file like the one Sở Y tế staff
download from the national portals: /_simulator/activity.csv and /_simulator/activity.xlsx.

One row per facility and day with the columns the portal's import expects. A day is the
document's own date (ngày bán, ngày nhập, transaction_date), and a document sent twice
counts once. The legacy server counts legacy documents, the v2 server v2 transactions, a
server for both everything. Clinics' prescriptions and drug-list changes have no column
and are left out. The query narrows it: ``dialect``, ``from`` and ``to`` (YYYY-MM-DD, both
included), ``province`` (the codes' two-digit prefix); ``messy=1`` gives the same facts
the way a file that went through hands has them, for trying an importer.

CSV needs only the standard library; the XLSX answer needs openpyxl (installed with
django-import-export[xlsx]), imported only when that file is asked for.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .. import endpoints as ep
from .console import served_dialects
from .request import BadRequest, Response

HEADERS = ("Mã cơ sở", "Tên cơ sở", "Ngày", "Số hóa đơn", "Số phiếu nhập", "Số phiếu xuất")
DAY_FORMAT = "%d/%m/%Y"
INVOICES, RECEIPTS, ISSUES = "invoices", "receipts", "issues"
# Which column a document counts in: (dialect, kind) → column; a v2 stock-out is a retail
# sale (an invoice) or another issue depending on its reason.
COLUMNS = {
    (ep.LEGACY, "hoa_don"): INVOICES,
    (ep.LEGACY, "phieu_nhap"): RECEIPTS,
    (ep.LEGACY, "phieu_xuat"): ISSUES,
    (ep.V2, ep.STOCK_IN): RECEIPTS,
    (ep.V2, ep.STOCK_OUT): ISSUES,
}
FILENAME = "hoat-dong-lien-thong"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DayActivity:
    facility_code: str
    facility_name: str
    day: date
    invoices: int
    receipts: int
    issues: int

    def cells(self):
        return (
            self.facility_code,
            self.facility_name,
            self.day,
            self.invoices,
            self.receipts,
            self.issues,
        )


def _column(row):
    if row["dialect"] == ep.V2 and row["kind"] == ep.STOCK_OUT and row["reason"] == ep.SALE_RETAIL:
        return INVOICES
    return COLUMNS.get((row["dialect"], row["kind"]))


def _day(text):
    """yyyyMMdd (legacy) or yyyy-mm-dd (v2) as a date; None for anything else."""
    digits = text.replace("-", "")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def activity(store, dialects) -> list[DayActivity]:
    """Rows ordered by facility code, then day."""
    documents = defaultdict(set)  # (code, day, column) → the documents' own ids
    for row in store.accepted_documents(dialects):
        column, day = _column(row), _day(row["document_date"])
        if column and day:
            key = (row["dialect"], row["kind"], row["record_id"] or row["national_id"])
            documents[row["facility_code"], day, column].add(key)
    names = store.facility_names()
    days = sorted({(code, day) for code, day, _ in documents})
    return [
        DayActivity(
            code,
            names.get(code, ""),
            day,
            *(
                len(documents.get((code, day, column), ()))
                for column in (INVOICES, RECEIPTS, ISSUES)
            ),
        )
        for code, day in days
    ]


def _requested(request):
    served = served_dialects(request.config)
    asked = request.arg("dialect")
    if asked and asked not in served:
        raise BadRequest(f"this server speaks {', '.join(served)}")
    first, last = _day_arg(request, "from"), _day_arg(request, "to")
    province = request.arg("province")
    return [
        row
        for row in activity(request.store, (asked,) if asked else served)
        if (first is None or row.day >= first)
        and (last is None or row.day <= last)
        and (not province or row.facility_code.startswith(f"{province}-"))
    ]


def _day_arg(request, name):
    text = request.arg(name)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise BadRequest(f"{name} must be YYYY-MM-DD") from exc


def _lines(request):
    """The rows as cells (days as dates), or as a file that went through hands has them:
    codes in lower case and padded with spaces, some days as unpadded text, a blank line
    after every fourth row, and the first row twice. None stands for a blank line."""
    rows = _requested(request)
    if request.arg("messy") not in ("1", "true"):
        return [row.cells() for row in rows]
    lines = []
    for number, row in enumerate(rows):
        code, name, day, *counts = row.cells()
        if number % 2:
            code = f"  {code.lower()} "
        if number % 3 == 1:
            day = f"{day.day}/{day.month}/{day.year}"
        lines.append((code, name, day, *counts))
        if number % 4 == 3:
            lines.append(None)
    return lines[:1] + lines


def _as_text(day):
    return day.strftime(DAY_FORMAT) if isinstance(day, date) else day


def _attachment(body, content_type, extension):
    disposition = f'attachment; filename="{FILENAME}.{extension}"'
    return Response(200, body, content_type, (("Content-Disposition", disposition),))


def as_csv(request):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for line in _lines(request):
        if line is None:
            writer.writerow(())
            continue
        code, name, day, *counts = line
        writer.writerow((code, name, _as_text(day), *counts))
    # With a byte-order mark, Excel opens the Vietnamese names in UTF-8.
    return _attachment(text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "csv")


def as_xlsx(request):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hoạt động"
    sheet.append(HEADERS)
    for number, line in enumerate(_lines(request), start=2):
        sheet.append(line or ())
        if line and isinstance(line[2], date):
            # A real Excel date, shown dd/mm/yyyy; a messy file also has days as text.
            sheet.cell(number, 3).number_format = "dd/mm/yyyy"
    body = io.BytesIO()
    workbook.save(body)
    return _attachment(body.getvalue(), XLSX_TYPE, "xlsx")

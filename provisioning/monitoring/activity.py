"""The national systems' activity exports, imported as evidence that data arrived.

Sở Y tế staff download their province's activity from a national portal (one row per
facility and day: "Mã cơ sở", "Tên cơ sở", "Ngày", "Số hóa đơn", "Số phiếu nhập",
"Số phiếu xuất") and upload it here. The file goes through django-import-export
(`ActivityResource`) into `ActivityDay`, its own table: importing it again sets the same
numbers and changes nothing. Each account with activity in the file then moves through the
same evidence service as the sync-report API (`ingest.record_data_seen`).

Real files are messy, and still import: codes in lower case or padded with spaces, blank
lines, repeated rows, days as dd/mm/yyyy text (padded or not), as Excel dates or as Excel
serial numbers. The web page and `manage.py import_activity` run `activity_import`.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from ..models import NationalAccount
from .ingest import record_data_seen
from .models import ActivityDay

CODE, NAME, DAY = "Mã cơ sở", "Tên cơ sở", "Ngày"
INVOICES, RECEIPTS, ISSUES = "Số hóa đơn", "Số phiếu nhập", "Số phiếu xuất"
COLUMNS = (CODE, NAME, DAY, INVOICES, RECEIPTS, ISSUES)
REQUIRED = (CODE, DAY, INVOICES, RECEIPTS, ISSUES)
LINE = "__line"  # the row's line number in the file, for the error messages
SOURCE = "activity_export"
SHOWN_CODES = 50  # unknown codes and accounts without activity listed in a summary


class ActivityFileError(ValueError):
    """A file that cannot be read at all (not a row's error)."""


def _key(text):
    return " ".join(str(text or "").split()).casefold()


def read_rows(content: bytes, filename: str):
    """(headers, rows) of a CSV or XLSX file; each row is a tuple of cells, blank lines kept
    as empty tuples so that line numbers are the file's."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            lines = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
            raise ActivityFileError(_("Không đọc được tệp Excel (.xlsx) này.")) from exc
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ActivityFileError(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from exc
        lines = [tuple(row) for row in csv.reader(io.StringIO(text))]
    else:
        raise ActivityFileError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
    if not lines or not any(lines[0]):
        raise ActivityFileError(_("Tệp trống hoặc dòng đầu không có tên cột."))
    headers = tuple("" if cell is None else str(cell).strip() for cell in lines[0])
    return headers, lines[1:]


def default_mapping(headers):
    """{expected column: the file's header} for the columns whose name matches."""
    by_key = {_key(header): header for header in headers if header}
    return {column: by_key[_key(column)] for column in COLUMNS if _key(column) in by_key}


def _is_blank(row):
    return all(cell is None or str(cell).strip() == "" for cell in row)


def build_dataset(headers, rows, mapping):
    """The rows under the expected column names (blank lines left out, each row with its
    line number), as the tablib dataset the resource imports."""
    import tablib

    missing = [column for column in REQUIRED if not mapping.get(column)]
    if missing:
        raise ActivityFileError(
            _("Chưa chọn cột của tệp cho: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    position = {header: index for index, header in enumerate(headers)}
    dataset = tablib.Dataset(headers=[*COLUMNS, LINE])
    for line, row in enumerate(rows, start=2):
        if _is_blank(row):
            continue
        cells = []
        for column in COLUMNS:
            index = position.get(mapping.get(column))
            cells.append(row[index] if index is not None and index < len(row) else None)
        dataset.append([*cells, line])
    return dataset


class DayWidget(widgets.Widget):
    """dd/mm/yyyy (padded or not), an Excel date, or an Excel serial number."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        text = str(value or "").strip()
        try:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        except ValueError:
            pass
        if text.isdigit():  # an Excel serial number saved as text
            return self.clean(int(text))
        raise ValueError(
            _("Ngày “%(value)s” không đúng dạng dd/mm/yyyy.") % {"value": text or "(trống)"}
        )


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return 0
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            number = -1
        if number < 0 or number != int(number):
            raise ValueError(
                _("“%(value)s” không phải là một số nguyên không âm.") % {"value": value}
            )
        return int(number)


class AccountWidget(widgets.Widget):
    """A facility code, cleaned (upper case, no spaces), as one of the resource's accounts."""

    def __init__(self, accounts):
        super().__init__()
        self.accounts = accounts

    def clean(self, value, row=None, **kwargs):
        return self.accounts.get(clean_code(value))


def clean_code(value):
    return "".join(str(value or "").split()).upper()


class ActivityResource(resources.ModelResource):
    """Rows of an activity export for the accounts of one national system in `provinces`
    (None: all). A code with no such account is not an error: it is counted as unknown."""

    account = fields.Field(attribute="account", column_name=CODE)
    day = fields.Field(attribute="day", column_name=DAY, widget=DayWidget())
    invoices = fields.Field(attribute="invoices", column_name=INVOICES, widget=CountWidget())
    receipts = fields.Field(attribute="receipts", column_name=RECEIPTS, widget=CountWidget())
    issues = fields.Field(attribute="issues", column_name=ISSUES, widget=CountWidget())

    class Meta:
        model = ActivityDay
        fields = ("account", "day", "invoices", "receipts", "issues")
        import_id_fields = ("account", "day")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, system, provinces=None):
        super().__init__()
        accounts = NationalAccount.objects.filter(system=system)
        if provinces is not None:
            accounts = accounts.filter(facility__province_id__in=provinces)
        self.accounts = {account.facility_code.upper(): account for account in accounts}
        self.fields["account"].widget = AccountWidget(self.accounts)
        self.unknown_codes = {}
        self.seen = {}  # (code, day) → (line, counts) of the row that counted
        self.matched = {}  # account id → newest day with activity
        self.repeated = 0
        self.unknown_rows = 0

    def before_import_row(self, row, **kwargs):
        row[CODE] = clean_code(row.get(CODE))
        if not row[CODE]:
            raise ValueError(_("Thiếu mã cơ sở."))

    def skip_row(self, instance, original, row, import_validation_errors=None):
        code = row[CODE]
        if code not in self.accounts:
            self.unknown_codes.setdefault(code, row.get(LINE))
            self.unknown_rows += 1
            return True
        if import_validation_errors:
            return False  # reported as the row's errors
        counts = (instance.invoices, instance.receipts, instance.issues)
        first = self.seen.setdefault((code, instance.day), (row.get(LINE), counts))
        if first[0] != row.get(LINE):
            if first[1] != counts:
                raise ValueError(
                    _(
                        "Cơ sở %(code)s ngày %(day)s đã có ở dòng %(line)s với số liệu khác; "
                        "mỗi cơ sở chỉ có một dòng cho mỗi ngày."
                    )
                    % {"code": code, "day": instance.day.strftime("%d/%m/%Y"), "line": first[0]}
                )
            self.repeated += 1  # the same row twice: counted once
            return True
        if any(counts):
            account = instance.account
            self.matched[account.pk] = max(self.matched.get(account.pk, instance.day), instance.day)
        else:
            self.matched.setdefault(instance.account.pk, None)
        return super().skip_row(instance, original, row, import_validation_errors)


@dataclass
class ActivitySummary:
    dry_run: bool
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0
    matched_accounts: int = 0
    unknown_codes: list = field(default_factory=list)
    unknown_count: int = 0
    without_activity: list = field(default_factory=list)
    without_activity_count: int = 0
    errors: list = field(default_factory=list)  # [(line, message)]
    status_changes: int = 0

    @property
    def has_errors(self):
        return bool(self.errors)

    def lines(self):
        """The summary as the command prints it."""
        head = _("Thử (không lưu)") if self.dry_run else _("Đã nhập")
        lines = [
            f"{head}: "
            + _(
                "%(rows)s dòng; mới %(new)s, cập nhật %(updated)s, không đổi %(unchanged)s, "
                "dòng lặp lại %(repeated)s."
            )
            % vars(self),
            _("Khớp tài khoản: %(n)s.") % {"n": self.matched_accounts},
            _("Mã không có tài khoản: %(n)s%(codes)s.")
            % {"n": self.unknown_count, "codes": _codes(self.unknown_codes)},
            _("Tài khoản không có hoạt động trong tệp: %(n)s%(codes)s.")
            % {"n": self.without_activity_count, "codes": _codes(self.without_activity)},
        ]
        lines += [
            _("Dòng %(line)s: %(message)s") % {"line": n, "message": m} for n, m in self.errors
        ]
        return lines


def _codes(codes):
    return f" ({', '.join(codes)})" if codes else ""


def activity_import(dataset, *, system, provinces=None, dry_run=False, now=None):
    """Import an activity dataset (`build_dataset`) for one national system, as evidence;
    returns the `ActivitySummary`. With `dry_run`, or when a row has an error, nothing is
    saved and no status moves."""
    now = now or timezone.now()
    resource = ActivityResource(system=system, provinces=provinces)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False)
    summary = ActivitySummary(dry_run=dry_run, rows=len(dataset))
    _collect_errors(summary, result, dataset[LINE])
    if not dry_run and not summary.has_errors:
        resource = ActivityResource(system=system, provinces=provinces)
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, raise_errors=False)
            _collect_errors(summary, result, dataset[LINE])
            if summary.has_errors:  # a row another upload changed meanwhile
                transaction.set_rollback(True)
            else:
                summary.status_changes = _record_evidence(resource, now)
    totals = result.totals
    summary.new, summary.updated = totals.get("new", 0), totals.get("update", 0)
    summary.unchanged = totals.get("skip", 0) - resource.unknown_rows - resource.repeated
    summary.repeated = resource.repeated
    summary.matched_accounts = len(resource.matched)
    unknown = sorted(resource.unknown_codes)
    summary.unknown_count, summary.unknown_codes = len(unknown), unknown[:SHOWN_CODES]
    active = {pk for pk, day in resource.matched.items() if day is not None}
    quiet = sorted(
        account.facility_code
        for account in resource.accounts.values()
        if account.pk not in active and account.handed_over_at is not None
    )
    summary.without_activity_count = len(quiet)
    summary.without_activity = quiet[:SHOWN_CODES]
    return summary


def _collect_errors(summary, result, lines):
    """The rows' errors as (line in the file, message), in the order of the file."""
    summary.errors = [("—", _plain(error.error)) for error in result.base_errors]
    for row in result.invalid_rows:
        for messages in row.error_dict.values():
            summary.errors += [(lines[row.number - 1], str(message)) for message in messages]
    for number, errors in result.row_errors():
        summary.errors += [(lines[number - 1], _plain(error.error)) for error in errors]
    summary.errors.sort(key=lambda item: item[0] if isinstance(item[0], int) else 0)


def _plain(error):
    """A row error's message without the widget's wrapping ("Column 'x': ...")."""
    cause = error
    while getattr(cause, "__cause__", None) is not None:
        cause = cause.__cause__
    return str(cause.args[0] if getattr(cause, "args", None) else cause)


def _record_evidence(resource, now):
    """Each account with activity in the file has data up to the newest such day: the day's
    first moment in Vietnam time (the file has no times), never later than now."""
    newest = {
        pk: min(timezone.make_aware(datetime.combine(day, time.min)), now)
        for pk, day in resource.matched.items()
        if day is not None
    }
    kinds_of = dict(
        NationalAccount.objects.filter(pk__in=newest).values_list("pk", "facility__kind")
    )
    return record_data_seen(newest, kinds_of, at=now, source=SOURCE)


IMPORT_HELP = gettext_lazy(
    "Tệp xuất hoạt động từ hệ thống quốc gia (.csv hoặc .xlsx), mỗi dòng một cơ sở một ngày."
)

"""Every write to the register: one upsert (import rows and manual edits alike), the commune a
person chooses, and the import that drives them."""

import csv
import io

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, Commune
from ..services.audit import new_event, record_event
from .matching import CommuneMatcher
from .models import RegisterEntry, RegisterImport, RegisterImportRow
from .resources import read_register

Outcome = RegisterImportRow.Outcome
# The parts of the address the commune is derived from: when none changed, a commune already
# chosen (by the import or by a person) stays.
ADDRESS_FIELDS = ("old_commune", "old_district", "old_province")
# Rows written per transaction of the one upsert: few queries, short locks.
BATCH_SIZE = 500
REPORT_HEADER = ["row", "certificate_number", "outcome", "commune_code", "message"]


def _audit_data(entry, changed):
    return {
        "register_entry": entry.pk,
        "certificate_number": entry.certificate_number,
        "fields": changed,
    }


def register_entry_upsert(*, province, fields, actor=None, matcher=None, ip=None):
    """Create or update the entry with `fields["certificate_number"]` in `province` (a manual
    edit); returns (entry, outcome, changed field names). See `register_entries_upsert`."""
    return register_entries_upsert(
        province=province, rows=[fields], actor=actor, matcher=matcher, ip=ip
    )[0]


def register_entries_upsert(*, province, rows, actor=None, matcher=None, ip=None, _retry=True):
    """Create or update the entries of `province` whose fields are `rows` (dicts with distinct
    certificate numbers), in one transaction: the one write path of the register.

    Only the keys given are written. With a `matcher`, the commune is placed from the address
    parts on creation and whenever they change; when they do not, a commune chosen by a person
    stays. Each creation and change is audited with the fields it touched. Returns
    [(entry, outcome, changed field names)] in the order of `rows`; outcome is CREATED,
    UPDATED or UNCHANGED.
    """
    numbers = [fields["certificate_number"] for fields in rows]
    try:
        with transaction.atomic():
            # Race: two imports of the same certificates. The row locks serialise updates; two
            # creations collide on the unique constraint, and the batch is redone once, when
            # the other's rows are there to lock.
            existing = {
                entry.certificate_number: entry
                for entry in RegisterEntry.objects.select_for_update().filter(
                    province=province, certificate_number__in=numbers
                )
            }
            results, created, updated, changed_names = [], [], [], set()
            now = timezone.now()
            for fields in rows:
                entry = existing.get(fields["certificate_number"])
                if entry is None:
                    entry = RegisterEntry(province=province, **fields)
                    if matcher is not None:
                        _place(entry, matcher)
                    created.append(entry)
                    results.append((entry, Outcome.CREATED, sorted(fields)))
                    continue
                changed = _apply(entry, fields, matcher)
                if changed:
                    entry.updated_at = now
                    updated.append(entry)
                    changed_names.update(changed)
                results.append((entry, Outcome.UPDATED if changed else Outcome.UNCHANGED, changed))
            RegisterEntry.objects.bulk_create(created, batch_size=500)
            if updated:
                RegisterEntry.objects.bulk_update(
                    updated, [*sorted(changed_names), "updated_at"], batch_size=500
                )
            AuditEvent.objects.bulk_create(
                [
                    new_event(
                        action=f"register.{outcome}",
                        actor=actor,
                        facility=entry.facility,
                        data=_audit_data(entry, changed),
                        ip=ip,
                        visible_to_facility=False,
                    )
                    for entry, outcome, changed in results
                    if outcome != Outcome.UNCHANGED
                ],
                batch_size=500,
            )
            return results
    except IntegrityError:
        if not _retry:
            raise
        return register_entries_upsert(
            province=province, rows=rows, actor=actor, matcher=matcher, ip=ip, _retry=False
        )


def _apply(entry, fields, matcher):
    """Set `fields` on `entry`; the names of those that changed (and the commune's)."""
    changed = [name for name, value in fields.items() if getattr(entry, name) != value]
    for name in changed:
        setattr(entry, name, fields[name])
    if matcher is not None and any(name in ADDRESS_FIELDS for name in changed):
        before = (entry.commune_id, list(entry.commune_candidates))
        _place(entry, matcher)
        if (entry.commune_id, entry.commune_candidates) != before:
            changed += ["commune", "commune_candidates"]
    return changed


def _place(entry, matcher):
    placement = matcher.place(entry.old_commune, entry.old_district, entry.old_province)
    entry.commune_id = placement.code
    entry.commune_candidates = list(placement.candidates)
    return placement


def register_entry_choose_commune(*, entry, commune, actor, ip=None):
    """A person places an entry the import could not: the commune must be of its province."""
    if commune.province_id != entry.province_id:
        raise ValueError("commune of another province")
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        previous = entry.commune_id
        entry.commune = commune
        entry.commune_candidates = []
        entry.save(update_fields=["commune", "commune_candidates", "updated_at"])
        record_event(
            action="register.commune_chosen",
            actor=actor,
            facility=entry.facility,
            data={**_audit_data(entry, ["commune"]), "from": previous, "to": commune.pk},
            ip=ip,
            visible_to_facility=False,
        )
    return entry


class _Preview(Exception):
    """Raised to roll a dry run back."""


def run_import(*, province, content, file_name, actor=None, dry_run=False, ip=None, columns=None):
    """Import a register file; returns (counts, [RegisterImportRow]) unsaved rows for the
    report. A dry run does everything inside a transaction and rolls it back, so the preview
    is exactly what the import will do. RegisterFileError if the file cannot be read."""
    matcher = CommuneMatcher(province.pk)
    rows = []
    counts = dict.fromkeys(Outcome.values, 0)
    seen = {}

    def flush(batch):
        results = register_entries_upsert(
            province=province,
            rows=[fields for _result, fields in batch],
            actor=actor,
            matcher=matcher,
            ip=ip,
        )
        for (result, _fields), (entry, outcome, changed) in zip(batch, results, strict=True):
            result.entry = entry
            result.commune_code = entry.commune_id
            if entry.commune_id is None:
                result.outcome = Outcome.REVIEW
                result.message = matcher.place(
                    entry.old_commune, entry.old_district, entry.old_province
                ).message
            else:
                result.outcome = outcome
                if outcome == Outcome.UPDATED:
                    result.message = _("Đã cập nhật: %(fields)s.") % {
                        "fields": ", ".join(_field_label(name) for name in changed)
                    }
            counts[result.outcome] += 1
        batch.clear()

    def work():
        batch = []
        for row in read_register(content, file_name, columns):
            number = row.fields.get("certificate_number", "")
            result = RegisterImportRow(row_number=row.number, certificate_number=number)
            rows.append(result)
            if row.errors:
                result.outcome, result.message = Outcome.ERROR, " ".join(row.errors)
            elif number in seen:
                result.outcome = Outcome.DUPLICATE
                result.message = _("Trùng số GCN với dòng %(row)s; dòng này bị bỏ qua.") % {
                    "row": seen[number]
                }
            else:
                seen[number] = row.number
                batch.append((result, row.fields))
                if len(batch) >= BATCH_SIZE:
                    flush(batch)
                continue
            counts[result.outcome] += 1
        if batch:
            flush(batch)
        if dry_run:
            raise _Preview

    try:
        with transaction.atomic():
            work()
    except _Preview:
        pass
    return counts, rows


def _field_label(name):
    return str(RegisterEntry._meta.get_field(name).verbose_name)


def register_import_confirm(*, register_import, actor, ip=None):
    """Import an uploaded file held for preview; its rows become the downloadable report."""
    with transaction.atomic():
        register_import = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
        # Race: a double click on "confirm"; the second finds the import done.
        if register_import.status == RegisterImport.Status.DONE:
            return register_import
        counts, rows = run_import(
            province=register_import.province,
            content=bytes(register_import.content),
            file_name=register_import.file_name,
            actor=actor,
            ip=ip,
            columns=register_import.columns,
        )
        for row in rows:
            row.register_import = register_import
            row.entry_id = row.entry.pk if row.entry else None
        RegisterImportRow.objects.bulk_create(rows, batch_size=1000)
        for outcome, count in counts.items():
            setattr(register_import, "errors" if outcome == Outcome.ERROR else outcome, count)
        register_import.status = RegisterImport.Status.DONE
        register_import.imported_at = timezone.now()
        register_import.save()
        record_event(
            action="register.imported",
            actor=actor,
            data={
                "register_import": register_import.pk,
                "file": register_import.file_name,
                **counts,
            },
            ip=ip,
            visible_to_facility=False,
        )
    return register_import


def register_import_set_columns(*, register_import, header_row, fields, actor):
    """A person says which row is the header and which field each column holds
    ({column index: field name or ""}); only before the import is confirmed."""
    with transaction.atomic():
        register_import = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
        if register_import.status != RegisterImport.Status.PENDING:
            raise ValueError("import already confirmed")
        register_import.columns = {
            "row": header_row,
            "fields": {str(column): name for column, name in fields.items() if name},
        }
        register_import.save(update_fields=["columns"])
    return register_import


def register_import_upload(*, province, uploaded_file, actor):
    """Hold an uploaded file for its preview; nothing in the register changes."""
    return RegisterImport.objects.create(
        province=province,
        uploaded_by=actor,
        file_name=uploaded_file.name[:255],
        content=uploaded_file.read(),
    )


def summary_line(counts):
    return (
        "created={created} updated={updated} unchanged={unchanged} "
        "duplicate={duplicate} errors={error} review={review}".format(**counts)
    )


def write_report(rows, stream):
    writer = csv.writer(stream)
    writer.writerow(REPORT_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.row_number,
                row.certificate_number,
                row.outcome,
                row.commune_code or "",
                row.message,
            ]
        )


def report_csv(rows):
    stream = io.StringIO()
    write_report(rows, stream)
    return stream.getvalue()


def commune_choices(entry):
    """The communes a person picks from: the candidates, or the whole province."""
    communes = Commune.objects.filter(province_id=entry.province_id)
    if entry.commune_candidates:
        communes = communes.filter(pk__in=entry.commune_candidates)
    return communes

"""A file stored inside a transaction that rolls back does not stay on disk."""

import logging
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from provisioning.models import AuditEvent, Document, DocumentKind
from provisioning.services import dossiers
from provisioning.services.dossiers import document_add, dossier_create
from provisioning.storage import delete_on_error
from provisioning.uploads import validate_upload

from ..factories import pdf_upload

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def stored_files(settings):
    root = settings.PRIVATE_STORAGE_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def add_contract(dossier, actor):
    upload = pdf_upload("hop-dong-bao-mat.pdf")
    return document_add(
        dossier=dossier,
        actor=actor,
        kind=DocumentKind.SECURITY_CONTRACT,
        upload=upload,
        checked=validate_upload(upload),
    )


def test_a_document_whose_audit_event_fails_leaves_no_file_and_no_row(
    settings, facility, monkeypatch
):
    dossier = dossier_create(facility=facility, actor=facility.owner)

    def failing_record_event(**kwargs):
        assert len(stored_files(settings)) == 1  # the file was written before the failure
        raise Boom

    monkeypatch.setattr(dossiers, "record_event", failing_record_event)
    with pytest.raises(Boom):
        add_contract(dossier, facility.owner)

    assert stored_files(settings) == []
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="document.added").exists()


def test_a_document_added_without_failure_keeps_its_file(settings, facility):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    document = add_contract(dossier, facility.owner)
    assert stored_files(settings) == [settings.PRIVATE_STORAGE_ROOT / document.file.name]


def test_files_stored_in_a_block_that_raises_are_deleted_and_the_error_is_kept(settings):
    with pytest.raises(Boom), delete_on_error() as stored:
        stored.add(_saved("a.txt"))
        stored.add(_saved("b.txt"))
        raise Boom
    assert stored_files(settings) == []


def test_files_stored_in_a_block_that_succeeds_are_kept(settings):
    with delete_on_error() as stored:
        stored.add(_saved("a.txt"))
    assert [path.name for path in stored_files(settings)] == ["a.txt"]


def test_a_file_that_cannot_be_deleted_is_logged_without_hiding_the_error(caplog):
    def broken_delete(name):
        raise OSError("read-only file system")

    read_only = SimpleNamespace(storage=SimpleNamespace(delete=broken_delete), name="a.txt")
    with pytest.raises(Boom), delete_on_error() as stored:
        stored.add(read_only)
        raise Boom
    assert "Could not delete a.txt" in caplog.text
    assert caplog.records[-1].levelno == logging.ERROR


def _saved(name):
    """A file written to storage, with the two attributes of a FieldFile that `add` reads."""
    return SimpleNamespace(
        storage=default_storage, name=default_storage.save(name, ContentFile(b"noi dung"))
    )

"""Keep the private storage free of files whose database row was rolled back."""

import logging
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class StoredFiles:
    """The files written inside a `delete_on_error` block, to delete if the block fails."""

    def __init__(self):
        self._files = []

    def add(self, field_file):
        """Remember a FieldFile just written with `field_file.save(...)`; returns it."""
        self._files.append((field_file.storage, field_file.name))
        return field_file

    def delete_all(self):
        for storage, name in self._files:
            try:
                storage.delete(name)
            except Exception:  # never hide the error that made us clean up
                logger.exception("Could not delete %s after a rolled-back transaction", name)
        self._files.clear()


@contextmanager
def delete_on_error():
    """Delete the files stored inside the block when the block raises.

    `FieldFile.save()` writes to storage at once, but the row pointing at the file exists
    only if the transaction commits; without this, a later failure (a lock, a check, the
    audit event, the commit itself) leaves a file on disk that nothing refers to. Enter it
    *outside* the transaction, so that a failure on commit is caught too, and `add` each
    file as soon as it is saved:

        with delete_on_error() as stored, transaction.atomic():
            letter.file.save(name, content, save=False)
            stored.add(letter.file)
            letter.save()
            record_event(...)

    The exception is re-raised unchanged. Only a failure inside this block is seen: if the
    block runs within an outer `atomic()` that rolls back later, its files stay on disk.
    """
    stored = StoredFiles()
    try:
        yield stored
    except BaseException:
        stored.delete_all()
        raise

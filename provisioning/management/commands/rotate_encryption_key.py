"""Re-encrypt every stored secret under the newest FIELD_ENCRYPTION_KEY.

Rotation: put the new key first in FIELD_ENCRYPTION_KEY (new,old), restart, run this
command, then remove the old key once it reports nothing left that the new key cannot open.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from provisioning.crypto import SecretUnreadable, rotated, stored_tokens


class Command(BaseCommand):
    help = "Mã hóa lại mọi bí mật đã lưu bằng khóa mới nhất trong FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        changed = unreadable = 0
        for model, pk, column, key, token in stored_tokens():
            try:
                new_token = rotated(token)
            except SecretUnreadable:
                unreadable += 1
                self.stderr.write(f"{model._meta.label} {pk}: no configured key opens it.")
                continue
            if new_token is not None:
                changed += _replace(model, pk, column, key, token, new_token)
        self.stdout.write(f"Re-encrypted {changed} secret(s) under the newest key.")
        if unreadable:
            raise CommandError(
                f"{unreadable} secret(s) could not be opened by any configured key; "
                "they were left as they are."
            )


def _replace(model, pk, column, key, old_token, new_token):
    """Swap one token; 1 if swapped, 0 if the row changed since it was read."""
    # Race: the facility may erase its password, or a staff member use a recovery code,
    # while the command runs. The row is locked and the token compared again, so such a
    # change is neither overwritten nor lost.
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        value = getattr(row, column, None) if row else None
        if key:
            if not isinstance(value, dict) or value.get(key) != old_token:
                return 0
            setattr(row, column, {**value, key: new_token})
        elif value != old_token:
            return 0
        else:
            setattr(row, column, new_token)
        row.save(update_fields=[column])
        return 1

"""Re-encrypt every stored secret under the newest FIELD_ENCRYPTION_KEY.

Rotation: put the new key first in FIELD_ENCRYPTION_KEY (new,old), restart, run this
command, then remove the old key once it reports nothing left under it.
"""

from django.core.management.base import BaseCommand, CommandError

from provisioning.crypto import SecretUnreadable, encrypted_columns, rotated


class Command(BaseCommand):
    help = "Mã hóa lại mọi bí mật đã lưu bằng khóa mới nhất trong FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        changed = unreadable = 0
        for model, field in encrypted_columns():
            stored = model.objects.exclude(**{field: ""}).values_list("pk", field)
            for pk, token in stored.iterator():
                try:
                    new_token = rotated(token)
                except SecretUnreadable:
                    unreadable += 1
                    self.stderr.write(f"{model._meta.label} {pk}: no configured key opens it.")
                    continue
                if new_token is None:
                    continue
                # Race: the facility may erase or replace the secret meanwhile; the update
                # only applies while the row still holds the token that was read.
                changed += model.objects.filter(pk=pk, **{field: token}).update(
                    **{field: new_token}
                )
        self.stdout.write(f"Re-encrypted {changed} secret(s) under the newest key.")
        if unreadable:
            raise CommandError(
                f"{unreadable} secret(s) could not be opened by any configured key; "
                "they were left as they are."
            )

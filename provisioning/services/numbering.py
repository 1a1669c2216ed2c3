from django.db import transaction
from django.db.models import F

from ..models import Counter


def next_number(key):
    """The next value of a gap-free register.

    Race: the UPDATE holds the row lock until the caller's transaction ends, so two
    submissions at once get consecutive numbers, never the same one.
    """
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.values_list("value", flat=True).get(key=key)

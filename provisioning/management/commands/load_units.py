from django.conf import settings
from django.core.management.base import BaseCommand

from provisioning.models import Commune, Province
from provisioning.units import load_units


class Command(BaseCommand):
    help = "Nạp/cập nhật danh mục tỉnh, xã (sau 01/7/2025) và đánh dấu các tỉnh cổng phục vụ."

    def handle(self, *args, **options):
        provinces, communes = load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))
        served = ", ".join(Province.objects.filter(served=True).values_list("name", flat=True))
        self.stdout.write(f"{provinces} tỉnh, {communes} xã; cổng phục vụ: {served}")

from django.core.management.base import BaseCommand, CommandError

from provisioning.errors import WorkflowError
from provisioning.models import Vendor
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.selectors import account_for_code


class Command(BaseCommand):
    help = (
        "Create an API key for the sync-report API, for the facility with a national facility "
        "code or for a software vendor by its tax code; prints the key (shown only now)."
    )

    def add_arguments(self, parser):
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--facility-code", help="an account's code on a national system")
        owner.add_argument("--vendor-tax-code", help="the vendor's tax code")
        parser.add_argument("--name", default="", help="a name to recognise the key by")

    def handle(self, *args, **options):
        if options["facility_code"]:
            try:
                facility = account_for_code(options["facility_code"]).facility
            except WorkflowError as exc:
                raise CommandError(exc.message) from exc
            _key, raw = api_key_create(facility=facility, name=options["name"])
        else:
            tax_code = options["vendor_tax_code"].strip()
            vendors = list(Vendor.objects.filter(tax_code=tax_code)[:2])
            if len(vendors) != 1:
                raise CommandError(
                    f"No vendor with tax code {tax_code}."
                    if not vendors
                    else f"Several vendors have tax code {tax_code}."
                )
            _key, raw = api_key_create(vendor=vendors[0], name=options["name"])
        self.stdout.write(raw)

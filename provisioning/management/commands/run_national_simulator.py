from django.core.management.base import BaseCommand

from provisioning.national.simulator import default_db_path
from provisioning.national.simulator.cli import add_arguments, serve


class Command(BaseCommand):
    # It touches neither the database nor the URLs, so it need not wait for them to check.
    requires_system_checks = []
    help = "Run the national-system simulator (legacy or v2 dialect) in the foreground."

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        serve(options, options["db"] or default_db_path())

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from portal.celery import app as celery_app
from provisioning.demo import DEMO_PASSWORD, DEMO_USERS, seed


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn (chỉ ở chế độ DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=settings.PORTAL_PROVINCE_CODES[0])

    def handle(self, *args, province, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo chỉ chạy ở chế độ DEBUG, không bao giờ trên dữ liệu thật."
            )
        # The seed replays months of work: its e-mails would only flood the console, and its
        # accounts are verified at once instead of through the national systems.
        quiet = override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}},
            NATIONAL_SYSTEMS={
                system: {"base_url": "http://127.0.0.1:9", "retries": 0, "timeout": 0.5}
                for system in ("legacy", "v2")
            },
        )
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            with quiet:
                seed(province_code=province, stdout=self.stdout)
        finally:
            celery_app.conf.task_always_eager = eager
        self.stdout.write(self.style.SUCCESS("Dữ liệu trình diễn đã sẵn sàng. Đăng nhập:"))
        for email, (_name, role) in DEMO_USERS.items():
            who = role.label if role else "Cơ sở"
            self.stdout.write(f"  {email:22} / {DEMO_PASSWORD}   ({who})")

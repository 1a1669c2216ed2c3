from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from provisioning.models import Province
from provisioning.register.resources import RegisterFileError
from provisioning.register.services import run_import, summary_line, write_report


class Command(BaseCommand):
    help = (
        "Nhập sổ cấp phép (XLSX hoặc CSV) của tỉnh: thêm, cập nhật theo số GCN ĐĐKKD dược; "
        "in một dòng tổng kết."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Chạy thử, không lưu gì.")
        parser.add_argument("--report", help="Ghi kết quả từng dòng ra tệp CSV này.")
        parser.add_argument(
            "--province", type=int, help="Mã tỉnh (mặc định: tỉnh duy nhất cổng phục vụ)."
        )

    def handle(self, *args, **options):
        province = self._province(options["province"])
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from exc
        try:
            counts, rows = run_import(
                province=province, content=content, file_name=path.name, dry_run=options["dry_run"]
            )
        except RegisterFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["report"]:
            with open(options["report"], "w", newline="", encoding="utf-8") as stream:
                write_report(rows, stream)
        prefix = "dry-run " if options["dry_run"] else ""
        self.stdout.write(prefix + summary_line(counts))

    def _province(self, code):
        if code is not None:
            try:
                return Province.objects.get(pk=code)
            except Province.DoesNotExist as exc:
                raise CommandError(f"Không có tỉnh mã {code}.") from exc
        served = list(Province.objects.filter(served=True))
        if len(served) != 1:
            raise CommandError("Cần --province: cổng phục vụ nhiều hơn một tỉnh (hoặc chưa có).")
        return served[0]

"""Register files as licensing systems export them: a title row, then the header."""

import csv
import io

from openpyxl import Workbook

HEADER = [
    "STT",
    "Tên cơ sở",
    "Loại hình",
    "Số GCN ĐĐKKD dược",
    "Ngày cấp",
    "Người phụ trách chuyên môn",
    "Số CCHN",
    "Địa chỉ",
    "Xã/Phường",
    "Quận/Huyện",
    "Tỉnh/TP",
    "Điện thoại",
    "Email",
    "Mã số thuế",
]
TITLE = "DANH SÁCH CƠ SỞ KINH DOANH DƯỢC ĐÃ ĐƯỢC CẤP GCN ĐĐKKD DƯỢC"


def row(
    number,
    *,
    name="Nhà thuốc An Khang",
    kind="Nhà thuốc",
    date="12/03/2021",
    commune="P. Đáp Cầu",
    district="TP. Bắc Ninh",
    province="",
    email="",
    tax="2300123456",
    address="Số 5 đường Hoàng Hoa Thám",
):
    return [
        "1",
        name,
        kind,
        number,
        date,
        "Nguyễn Văn Dược",
        "CCHN-01",
        address,
        commune,
        district,
        province,
        "0912345678",
        email,
        tax,
    ]


def csv_file(rows, header=HEADER, title=TITLE):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8")


def xlsx_file(rows, header=HEADER, title=TITLE):
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()

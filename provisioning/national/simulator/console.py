"""A small HTML console at /_simulator/: the national system's account screen, for the demo.

On the real systems a Viettel officer creates a facility's account in an admin screen, then
records it in the portal, which checks the login. This page stands in for that screen: it
lists the accounts this server knows and creates one from a form that works without
JavaScript. Standard library only, like the rest of the simulator.
"""

import string
from html import escape
from urllib.parse import quote

from .. import endpoints as ep
from .request import Response

PAGE_PATH = "/_simulator/"
LIMIT = 200
TITLE = "Hệ thống Dược Quốc gia (mô phỏng) — quản trị tài khoản"
# The portal's own names for the two systems, so the demo user picks the same one there.
LABELS = {
    ep.LEGACY: "Hệ thống Dược Quốc gia (duocquocgia.com.vn)",
    ep.V2: "Hệ thống CSDL Dược 2026 (csdlduoc.com.vn)",
}

# The portal's rule for initial passwords, repeated because the simulator imports nothing
# from Django: keep it equal to provisioning/crypto.py password_is_strong.
SYMBOLS = "@#$%&*-+=?"
CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)

MSG_REQUIRED = "Vui lòng nhập đủ hệ thống, tên đăng nhập, mật khẩu và mã cơ sở."
MSG_DIALECT = "Máy chủ mô phỏng này không phục vụ hệ thống đã chọn."
MSG_WEAK_PASSWORD = (
    "Mật khẩu phải có ít nhất 8 ký tự, gồm đủ bốn loại: chữ hoa, chữ thường, "
    f"chữ số, ký tự đặc biệt ({SYMBOLS})."
)
MSG_TOO_LONG = (
    f"Hệ thống 2018 nhận tên đăng nhập tối đa {ep.LEGACY_USERNAME_MAX} ký tự "
    f"và mật khẩu tối đa {ep.LEGACY_PASSWORD_MAX} ký tự."
)
MSG_EXISTS = "Tên đăng nhập này đã có trên hệ thống đã chọn."

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem;color:#1d2733}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:.6rem .8rem}
.ok{background:#e3f5e6;border:1px solid #6bb37a;padding:.6rem .8rem}
.error{background:#fbe4e4;border:1px solid #d06a6a;padding:.6rem .8rem}
form{display:grid;grid-template-columns:max-content 18rem;gap:.5rem 1rem;align-items:center}
form .error,form button{grid-column:1/-1;justify-self:start}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccd;padding:.3rem .5rem}
th{text-align:left}code{font-size:.95em}
"""


def password_is_strong(password):
    return len(password) >= 8 and all(any(c in cls for c in password) for cls in CLASSES)


def served_dialects(config):
    return ep.SYSTEMS if config.dialect == "both" else (config.dialect,)


def page(request):
    served = served_dialects(request.config)
    created = request.arg("tao")
    notice = ""
    if created and any(request.store.account(d, created) for d in served):
        notice = (
            f'<p class="ok" role="status">Đã tạo tài khoản <strong>{escape(created)}</strong>. '
            "Hãy ghi nhận tài khoản này trên cổng Liên thông Dược để cổng kiểm tra đăng nhập.</p>"
        )
    return Response.html(_render(request.store, served, notice=notice))


def create(request):
    served = served_dialects(request.config)
    form = request.form()
    values = {
        "dialect": form.get("dialect", ""),
        "username": form.get("username", "").strip(),
        "facility_code": form.get("facility_code", "").strip(),
    }
    password = form.get("password", "")
    error = _invalid(request.store, served, password=password, **values)
    if error:
        page_html = _render(request.store, served, values=values, error=error)
        return Response.html(page_html, status=400)
    # A second submit racing this one would update the account instead: harmless here.
    request.store.ensure_account(
        values["dialect"], values["username"], password, [values["facility_code"]]
    )
    return Response.redirect(f"{PAGE_PATH}?tao={quote(values['username'], safe='')}")


def _invalid(store, served, *, dialect, username, password, facility_code):
    """The Vietnamese reason the form cannot be accepted, or an empty string."""
    if not (dialect and username and password and facility_code):
        return MSG_REQUIRED
    if dialect not in served:
        return MSG_DIALECT
    if not password_is_strong(password):
        return MSG_WEAK_PASSWORD
    if dialect == ep.LEGACY and (
        len(username) > ep.LEGACY_USERNAME_MAX or len(password) > ep.LEGACY_PASSWORD_MAX
    ):
        return MSG_TOO_LONG  # the legacy login refuses longer ones: the account would be useless
    if store.account(dialect, username):
        # ensure_account would quietly replace the password (the seed's pushers use them).
        return MSG_EXISTS
    return ""


def _render(store, served, *, values=None, error="", notice=""):
    values = values or {}
    speaks = ", ".join(f"{escape(LABELS[d])} (<code>{escape(d)}</code>)" for d in served)
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(TITLE)}</h1>
<p class="banner">Đây là <strong>bộ mô phỏng</strong> đi kèm cổng Liên thông Dược, chỉ dùng
cho trình diễn và kiểm thử; không phải hệ thống thật của Cục Quản lý Dược. Mật khẩu được lưu
nguyên văn trong tệp dữ liệu của bộ mô phỏng: không dùng mật khẩu thật.</p>
<p>Máy chủ này mô phỏng: {speaks}.</p>
{notice}
<h2>Tạo tài khoản</h2>
{_form(served, values, error)}
{_table(store, served)}
<h2>Hoạt động liên thông</h2>
<p>Số hóa đơn, phiếu nhập, phiếu xuất mỗi cơ sở gửi theo từng ngày, như tệp Sở Y tế tải về
từ hệ thống: <a href="{PAGE_PATH}activity.xlsx">tải tệp Excel (.xlsx)</a> ·
<a href="{PAGE_PATH}activity.csv">tải tệp CSV</a>.</p>
</body>
</html>
"""


def _form(served, values, error):
    chosen = values.get("dialect") or served[0]
    options = "".join(
        f'<option value="{escape(d)}"{" selected" if d == chosen else ""}>'
        f"{escape(LABELS[d])}</option>"
        for d in served
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    username = escape(values.get("username", ""))
    facility_code = escape(values.get("facility_code", ""))
    return f"""<form method="post" action="{PAGE_PATH}">
{alert}
<label for="dialect">Hệ thống</label>
<select id="dialect" name="dialect" required>{options}</select>
<label for="username">Tên đăng nhập</label>
<input id="username" name="username" value="{username}" required autocomplete="off">
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" required minlength="8"
 autocomplete="new-password">
<label for="facility_code">Mã cơ sở</label>
<input id="facility_code" name="facility_code" value="{facility_code}" required
 placeholder="24-008179">
<button type="submit">Tạo tài khoản</button>
</form>"""


def _table(store, served):
    total, accounts = store.latest_accounts(served, LIMIT)
    if not total:
        return "<h2>Tài khoản</h2>\n<p>Chưa có tài khoản nào.</p>"
    if total > len(accounts):
        shown = f"{len(accounts)} tài khoản mới nhất trên tổng số {total}, mới nhất trước."
    else:
        shown = f"Tất cả {total} tài khoản, mới nhất trước."
    rows = "\n".join(
        "<tr>"
        f"<td>{escape(account.username)}</td>"
        f"<td><code>{escape(account.dialect)}</code></td>"
        f"<td>{escape(', '.join(account.facility_codes))}</td>"
        f"<td>{'Đang khóa' if account.locked else 'Hoạt động'}</td>"
        f"<td>{escape(created_at)}</td>"
        "</tr>"
        for account, created_at in accounts
    )
    return f"""<h2>Tài khoản ({total})</h2>
<table>
<caption>{escape(shown)}</caption>
<thead><tr><th>Tên đăng nhập</th><th>Hệ thống</th><th>Mã cơ sở</th><th>Trạng thái</th>
<th>Tạo lúc (UTC)</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>"""

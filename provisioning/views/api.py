"""The machine-to-machine API: software reports each push it made to a national system."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..monitoring.ingest import MAX_REPORTS, reports_ingest
from ..monitoring.keys import api_key_authenticate
from ..ratelimit import allow, allow_key


def _error(status, code, message, **headers):
    response = JsonResponse(
        {"error": {"code": code, "message": str(message)}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _bearer(request):
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt
@require_POST
def sync_reports(request):
    """`POST /api/v1/sync-reports` with `Authorization: Bearer <key>` and
    `{"reports": [...]}` (at most 1,000); answers the counts and each rejected report."""
    window = settings.MONITORING_API_RATE_WINDOW
    key = api_key_authenticate(_bearer(request))
    if key is None:
        # Guessing keys costs a limit per address as well.
        if not allow(request, "api-bad-key", limit=30, seconds=600):
            return _error(429, "rate_limited", _("Quá nhiều lần thử khóa sai."), Retry_After="600")
        return _error(
            401,
            "invalid_key",
            _("Khóa API không đúng hoặc đã bị thu hồi."),
            WWW_Authenticate='Bearer realm="lienthongduoc"',
        )
    if not allow_key(
        f"api-sync-reports:{key.pk}", limit=settings.MONITORING_API_RATE_LIMIT, seconds=window
    ):
        return _error(
            429,
            "rate_limited",
            _("Khóa API này gửi quá nhiều yêu cầu; vui lòng gửi gộp và thử lại sau."),
            Retry_After=str(window),
        )
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        return _error(413, "too_large", _("Yêu cầu quá lớn."))
    except (ValueError, UnicodeDecodeError):
        return _error(400, "invalid_json", _("Nội dung phải là JSON hợp lệ."))
    reports = body.get("reports") if isinstance(body, dict) else None
    if not isinstance(reports, list):
        return _error(400, "invalid_body", _('Nội dung phải có dạng {"reports": [...]}.'))
    if len(reports) > MAX_REPORTS:
        return _error(
            400,
            "too_many_reports",
            _("Mỗi lần gửi tối đa %(max)s báo cáo; lần này có %(count)s.")
            % {"max": MAX_REPORTS, "count": len(reports)},
        )
    return JsonResponse(
        reports_ingest(key=key, items=reports).as_dict(), json_dumps_params={"ensure_ascii": False}
    )

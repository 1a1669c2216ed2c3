"""Staff screens of monitoring: the API keys software uses to report its pushes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..errors import WorkflowError
from ..monitoring.forms import ApiKeyForm
from ..monitoring.keys import api_key_create, api_key_revoke
from ..monitoring.permissions import api_keys_for, get_api_key_for_staff, key_provinces
from ..ratelimit import client_ip


@never_cache
@login_required
def api_keys(request):
    """The province's keys; a new key is shown on the answer to its creation, and never again."""
    provinces = key_provinces(request.user)
    form = ApiKeyForm(request.POST or None, provinces=provinces)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _key, new_key = api_key_create(
            facility=form.cleaned_data.get("facility"),
            vendor=form.cleaned_data["vendor"],
            actor=request.user,
            name=form.cleaned_data["name"],
            ip=client_ip(request),
        )
        form = ApiKeyForm(provinces=provinces)
    keys = Paginator(
        api_keys_for(provinces).select_related("facility", "vendor", "created_by"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/api_keys.html", {"form": form, "keys": keys, "new_key": new_key}
    )


@require_POST
@login_required
def api_key_revoke_view(request, pk):
    key = get_api_key_for_staff(request.user, pk)
    try:
        api_key_revoke(key=key, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thu hồi khóa %(prefix)s….") % {"prefix": key.prefix})
    return redirect("monitoring:api_keys")

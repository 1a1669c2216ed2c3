"""Pages every role shares: the start page, documents, the public status lookup, errors."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..forms import LookupForm, PersonForm
from ..models import Dossier, Letter, Role
from ..permissions import (
    get_document_for_user,
    get_dossier_for_user,
    get_guidance_for_user,
    has_role,
    is_staff_member,
)
from ..ratelimit import allow, client_ip
from ..selectors import public_timeline
from ..services.people import person_update


def home(request):
    """Each role starts where its work waits: a leader on what waits for approval."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if has_role(user, Role.APPROVER):
        return redirect(f"{reverse('review:queue')}?tab=proposed")
    if has_role(user, Role.REVIEWER):
        return redirect("review:queue")
    if has_role(user, Role.VIETTEL):
        return redirect("issuance:queue")
    if has_role(user, Role.ADMIN) or user.is_superuser:
        return redirect("admin:index")
    return redirect("facility:home")


@login_required
def profile(request):
    """The person's name and position; whoever has none is sent here before acting."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(request.user))
    if request.method == "POST" and form.is_valid():
        person_update(user=request.user, actor=request.user, ip=client_ip(request), **form.person)
        messages.success(request, _("Đã lưu họ tên và chức vụ."))
        return redirect(next_url)
    return render(
        request,
        "profile.html",
        {"form": form, "next": next_url, "missing": not request.user.has_profile},
    )


def serve_private_file(field, *, filename, content_type, inline=True):
    """Send a stored file with headers that stop the browser from guessing or running it.

    In production the web server sends the bytes (X-Accel-Redirect), set in deploy/.
    """
    accel_prefix = settings.PRIVATE_ACCEL_REDIRECT_PREFIX
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix + field.name
    else:
        try:
            response = FileResponse(field.open("rb"), content_type=content_type)
        except FileNotFoundError as exc:
            raise Http404 from exc
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer refuses to run in a sandboxed document; PDFs carrying scripts are
    # refused at upload, so only images get the sandbox.
    sandbox = "" if content_type == "application/pdf" else "; sandbox"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'unsafe-inline'; object-src 'self'{sandbox}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
def document(request, pk):
    doc = get_document_for_user(request.user, pk)
    return serve_private_file(
        doc.file,
        filename=doc.original_name,
        content_type=doc.content_type,
        inline=request.GET.get("tai") != "1",
    )


@login_required
def guidance(request, pk):
    """Guidance PDFs are for facilities that received an account and for staff."""
    doc = get_guidance_for_user(request.user, pk)
    return serve_private_file(doc.file, filename=f"{doc.title}.pdf", content_type="application/pdf")


@login_required
def letter(request, pk):
    """A letter's PDF, for the facility's owner and the staff of its province; 404 otherwise."""
    issued = Letter.objects.filter(pk=pk).select_related("dossier").first()
    if issued is None:
        raise Http404
    get_dossier_for_user(request.user, issued.dossier_id)
    # The archive carries internal notes: its dossier's facility never sees it.
    if issued.kind in Letter.STAFF_ONLY_KINDS and not is_staff_member(request.user):
        raise Http404
    return serve_private_file(
        issued.file,
        filename=f"{issued.kind}-{issued.dossier.code or issued.dossier_id}.pdf",
        content_type="application/pdf",
        inline=request.GET.get("tai") != "1",
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp PDF cần đối chiếu"))


VERIFY_MAX_BYTES = 20 * 1024 * 1024


def verify(request, code):
    """What the QR code on a letter opens: the letter's facts and its SHA-256, nothing more.

    Anyone may upload a PDF to learn whether it is byte for byte the letter issued. The code
    is not guessable (50 random bits); the rate limit keeps it that way.
    """
    if not allow(request, "verify", limit=30, seconds=600):
        return render(request, "public/verify.html", {"limited": True}, status=429)
    issued = get_object_or_404(
        Letter.objects.select_related("dossier__facility"), verification_code=code.upper()
    )
    form = VerifyForm()
    matches = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > VERIFY_MAX_BYTES:
                form.add_error("file", _("Tệp quá lớn để là văn bản của Cổng."))
            else:
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                matches = digest.hexdigest() == issued.sha256
    return render(
        request,
        "public/verify.html",
        {
            "kind": issued.get_kind_display(),
            "number": issued.number,
            "date": issued.created_at,
            "facility_name": issued.dossier.facility.name,
            "sha256": issued.sha256,
            "form": form,
            "matches": matches,
        },
    )


def lookup(request):
    """Status by dossier code and the secret printed on the receipt, without logging in."""
    form = LookupForm(request.GET or None)
    dossier = None
    if form.is_bound and not allow(request, "lookup", limit=20, seconds=600):
        form.add_error(None, _("Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."))
    elif form.is_valid():
        dossier = (
            Dossier.objects.select_related("facility")
            .filter(code=form.cleaned_data["code"], lookup_secret=form.cleaned_data["secret"])
            .first()
        )
        if dossier is None:
            form.add_error(None, _("Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập."))
    context = {"form": form, "dossier": dossier}
    if dossier:
        context["timeline"] = public_timeline(dossier)
    return render(request, "public/lookup.html", context)


def admin_login(request):
    """The admin has no login of its own: it signs in through the portal's, with its
    two-factor step; the admin's `next` is kept. A signed-in user the admin refused (not
    staff) gets 403 rather than a loop back through the login."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
        login_url=reverse("account_login"),
    )


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)

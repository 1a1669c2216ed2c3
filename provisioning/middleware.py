from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from .permissions import is_staff_member

# Pages a staff member without two-factor authentication may still reach: setting it up.
OPEN_PREFIXES = ("/tai-khoan/", "/static/", "/i18n/")


class StaffTwoFactorMiddleware:
    """Staff must have TOTP before anything else when STAFF_REQUIRE_MFA is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and (is_staff_member(request.user) or request.user.is_superuser)
            and not request.user.authenticator_set.exists()
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


# Where people file, review, approve and hand over (facility, review and Viettel screens).
NAMED_PREFIXES = ("/co-so/", "/tham-dinh/", "/viettel/")


class ProfileRequiredMiddleware:
    """Nobody files or signs anything without a name: letters and timelines print it.

    Accounts made before the portal asked for names (and staff an administrator created) are
    sent to the profile page first, and come back to where they were going.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.path.startswith(NAMED_PREFIXES)
            and not user.has_profile
        ):
            return redirect(f"{reverse('profile')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """Vietnamese unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most browsers
    here are set to English: the portal must still open in Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to this request: a worker thread's next request must not inherit it.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """A NUL character in the address or the query string answers 400.

    No page uses one, and PostgreSQL text cannot hold one: a verification code or an admin
    list filter carrying %00 would otherwise end in a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = ((key, *values) for key, values in request.GET.lists())
        if "\x00" in request.path or any("\x00" in text for item in query for text in item):
            raise BadRequest("NUL character in the request address")
        return self.get_response(request)

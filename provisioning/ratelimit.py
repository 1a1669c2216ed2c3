"""The client's address, rate limits, and allauth's login throttle built on them.

One function, `client_ip`, says who the client is: the audit rows, the portal's own limits
and allauth's (through `AccountAdapter.get_client_ip`) all use it. Counters live in the
default cache, which is Redis in production (CACHE_URL), so every worker shares them.
"""

import ipaddress
import secrets
from functools import cache

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core import signing
from django.core.cache import cache as default_cache

# A browser where the account's owner once signed in completely (password and, for staff,
# the second factor) carries this signed cookie. Wrong passwords typed elsewhere do not
# count against it, so an attacker who guesses at an account cannot lock its owner out
# (OWASP's "device cookies"); on a new device, the password reset link clears the count.
DEVICE_COOKIE = "lt_device"
DEVICE_COOKIE_SALT = "provisioning.ratelimit.device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


@cache
def _networks(proxies):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request):
    """The client's address, for audit rows and rate limits.

    The connection's address (REMOTE_ADDR), unless it is one of TRUSTED_PROXIES: then the
    address that proxy puts in X-Real-IP (deploy/nginx.conf). From anyone else the header
    is the client's own word and is ignored, so rotating it cannot dodge a limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    peer = _address(remote)
    if peer is not None and any(peer in net for net in _networks(tuple(settings.TRUSTED_PROXIES))):
        forwarded = _address(request.META.get("HTTP_X_REAL_IP", ""))
        if forwarded is not None:
            return str(forwarded)
    return remote


def allow(request, scope, *, limit, seconds):
    """Count a hit for this client and scope; False once it passes `limit` in `seconds`."""
    return allow_key(f"{scope}:{client_ip(request)}", limit=limit, seconds=seconds)


def allow_key(name, *, limit, seconds):
    """Count a hit for `name` (a scope and whatever the limit is keyed on, such as an API
    key); False once it passes `limit` in `seconds`."""
    key = f"ratelimit:{name}"
    default_cache.add(key, 0, seconds)
    try:
        hits = default_cache.incr(key)
    except ValueError:
        default_cache.set(key, 1, seconds)
        hits = 1
    return hits <= limit


def _known_device(request, login):
    """The id of this browser if `login` signed in completely on it before, else None."""
    try:
        device = request.get_signed_cookie(
            DEVICE_COOKIE, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE
        )
    except (KeyError, signing.BadSignature):
        return None
    device_id, _sep, owner = device.partition(":")
    return device_id if owner == login else None


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with the portal's client address and a login throttle that slows a guesser
    without locking the account's owner out.

    allauth's `login_failed` limit (ACCOUNT_RATE_LIMITS) counts per client address and per
    key; the key is the account alone for unknown browsers, and the account and the browser
    for one where the owner signed in before.
    """

    def get_client_ip(self, request):
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        key = super()._get_login_attempts_cache_key(request, **credentials)
        login = credentials.get("email", credentials.get("username", "")).lower()
        device = _known_device(request, login)
        return f"{key}:device:{device}" if device else key

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """A password reset clears the count of unknown browsers as well as this one's."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        shared = DefaultAccountAdapter._get_login_attempts_cache_key(self, request, **credentials)
        allauth_ratelimit.clear(request, action="login_failed", key=shared)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        login = user.email.lower()
        device_id = _known_device(request, login) or secrets.token_urlsafe(16)
        response.set_signed_cookie(
            DEVICE_COOKIE,
            f"{device_id}:{login}",
            salt=DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

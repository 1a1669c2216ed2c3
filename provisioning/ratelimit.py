from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The client's address, for audit rows and rate limits.

    Behind the production proxy it arrives in X-Real-IP (deploy/nginx.conf); without a proxy
    that header is the client's own word, so it is trusted only when BEHIND_PROXY is set.
    """
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR")


def allow(request, scope, *, limit, seconds):
    """Count a hit for this client and scope; False once it passes `limit` in `seconds`."""
    return allow_key(f"{scope}:{client_ip(request)}", limit=limit, seconds=seconds)


def allow_key(name, *, limit, seconds):
    """Count a hit for `name` (a scope and whatever the limit is keyed on, such as an API
    key); False once it passes `limit` in `seconds`."""
    key = f"ratelimit:{name}"
    cache.add(key, 0, seconds)
    try:
        hits = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        hits = 1
    return hits <= limit

from django.core.cache import cache


def client_ip(request):
    # Behind the production proxy the real address arrives in X-Real-IP (set in deploy/).
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")


def allow(request, scope, *, limit, seconds):
    """Count a hit for this client and scope; False once it passes `limit` in `seconds`."""
    key = f"ratelimit:{scope}:{client_ip(request)}"
    cache.add(key, 0, seconds)
    try:
        hits = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        hits = 1
    return hits <= limit

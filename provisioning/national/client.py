"""Pick the adapter for a national system and point it at the configured host.

``settings.NATIONAL_SYSTEMS`` names, per system, ``base_url`` and optionally ``timeout``,
``retries``, ``backoff`` and ``verify_tls``; unset values point at the local simulator.
The settings fill it from ``NATIONAL_LEGACY_URL``, ``NATIONAL_V2_URL`` and the like.
"""

from . import endpoints as ep
from .base import LoginOutcome, LoginResult, NationalClient, PushResult
from .conf import setting
from .legacy import LegacyClient
from .transport import RetryPolicy
from .v2 import TransactionStatus, V2Client

ADAPTERS = {ep.LEGACY: LegacyClient, ep.V2: V2Client}

__all__ = [
    "ADAPTERS",
    "LegacyClient",
    "LoginOutcome",
    "LoginResult",
    "NationalClient",
    "PushResult",
    "TransactionStatus",
    "V2Client",
    "client_for",
    "system_config",
]


def system_config(system) -> dict:
    if system not in ADAPTERS:
        raise ValueError(f"unknown national system {system!r}; expected one of {ep.SYSTEMS}")
    configured = setting("NATIONAL_SYSTEMS", {}).get(system) or {}
    return {"base_url": ep.DEFAULT_BASE_URLS[system], **configured}


def client_for(system, base_url=None, **kwargs) -> NationalClient:
    """An adapter for ``system`` ("legacy" or "v2"); ``kwargs`` go to its constructor
    (username, password, policy, headers, and for v2 poll_interval, poll_timeout)."""
    config = system_config(system)
    if "policy" not in kwargs:
        defaults = RetryPolicy()
        kwargs["policy"] = RetryPolicy(
            timeout=float(config.get("timeout", defaults.timeout)),
            retries=int(config.get("retries", defaults.retries)),
            backoff=float(config.get("backoff", defaults.backoff)),
        )
    kwargs.setdefault("verify_tls", bool(config.get("verify_tls", True)))
    return ADAPTERS[system](base_url or config["base_url"], **kwargs)

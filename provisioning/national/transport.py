"""One HTTP call with a timeout, bounded retries and logs that never hold a secret.

Only network failures and 5xx answers are retried: a 4xx or a refusal in the body will
not change by asking again, and retrying it could lock an account for too many logins.
"""

import logging
import time
from dataclasses import dataclass

import httpx

from .errors import Unreachable

logger = logging.getLogger("provisioning.national")

MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    timeout: float = 10.0
    retries: int = 3  # extra attempts after the first
    backoff: float = 0.5  # seconds before the first retry, doubled each time

    def delay(self, attempt):
        return min(self.backoff * 2**attempt, MAX_BACKOFF_SECONDS)


class Transport:
    def __init__(self, base_url, *, policy=None, headers=None, system="", verify_tls=True):
        self.policy = policy or RetryPolicy()
        self.system = system
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=self.policy.timeout,
            headers=headers or {},
            follow_redirects=False,
            verify=verify_tls,
        )

    def close(self):
        self._http.close()

    def request(self, method, path, **kwargs):
        """Send, retrying network errors and 5xx; returns any other answer as it is.

        Only method, path, status and timing are logged: bodies carry passwords and
        headers carry tokens.
        """
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            started = time.monotonic()
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}"
                status = None
            else:
                if response.status_code < 500:
                    logger.debug(
                        "%s %s %s -> %s in %.3fs",
                        self.system,
                        method,
                        path,
                        response.status_code,
                        time.monotonic() - started,
                    )
                    return response
                failure = f"HTTP {response.status_code}"
                status = response.status_code
            last = attempt == attempts - 1
            logger.warning(
                "%s %s %s failed (%s), attempt %d of %d%s",
                self.system,
                method,
                path,
                failure,
                attempt + 1,
                attempts,
                "" if last else ", retrying",
            )
            if not last:
                time.sleep(self.policy.delay(attempt))
        raise Unreachable(f"{method} {path}: {failure} after {attempts} attempts", status=status)

"""Fault injection: per request by header, or a standing rule switched at run time.

A fault either breaks the transport (slow, 5xx, drop), handled by the server, or changes
what the dialect sees (expired-token, locked, reject), handled where that check happens.
"""

import random
import threading
from dataclasses import asdict, dataclass

FAULT_HEADER = "X-Simulate-Fault"
DELAY_HEADER = "X-Simulate-Delay"  # seconds, for the slow fault
ERROR_STYLE_HEADER = "X-Simulate-Error-Style"  # legacy refusals: "body" or "status"
STATUS_CASE_HEADER = "X-Simulate-Status-Case"  # v2 statuses: "lower" or "upper"
# Answers in the shape some clients meet, to try the client's tolerance:
ID_PLACE_HEADER = "X-Simulate-Id-Place"  # legacy national ids: "top" (as real) or "data"
FIELD_NAMES_HEADER = "X-Simulate-Field-Names"  # v2: "standard", or "alternate" (id, status_code)

SLOW, SERVER_ERROR, DROP = "slow", "5xx", "drop"
EXPIRED_TOKEN, LOCKED, REJECT = "expired-token", "locked", "reject"
FAULTS = (SLOW, SERVER_ERROR, DROP, EXPIRED_TOKEN, LOCKED, REJECT)


@dataclass(frozen=True)
class FaultRule:
    fault: str
    rate: float = 1.0  # the share of matching requests that get it
    count: int | None = None  # how many times in all; None for no limit
    path_prefix: str = ""  # only requests whose path starts with this

    def __post_init__(self):
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; expected one of {FAULTS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")


class FaultSwitch:
    """The server's standing fault, shared by its request threads."""

    def __init__(self, rule=None, seed=None):
        self._lock = threading.Lock()
        self._rule = rule
        self._remaining = rule.count if rule else None
        self._random = random.Random(seed)

    def set(self, rule):
        with self._lock:
            self._rule = rule
            self._remaining = rule.count if rule else None

    def describe(self):
        with self._lock:
            if self._rule is None:
                return None
            return {**asdict(self._rule), "remaining": self._remaining}

    def pick(self, header_value, path):
        """The fault for this request: the header wins, else the standing rule may fire."""
        if header_value:
            fault = header_value.strip().lower()
            return fault if fault in FAULTS else None
        with self._lock:
            rule = self._rule
            if rule is None or not path.startswith(rule.path_prefix):
                return None
            if self._remaining == 0 or self._random.random() >= rule.rate:
                return None
            if self._remaining is not None:
                self._remaining -= 1
            return rule.fault

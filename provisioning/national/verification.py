"""The check behind "are these interconnection credentials still good?".

Pure: no models, no database. The caller (a Celery task) stores the outcome.
"""

from .base import LoginResult
from .client import client_for


def check_credentials(system, username, password, *, base_url=None) -> LoginResult:
    """Log in once; the result's outcome is verified, wrong_credentials, locked or
    unreachable. Never raises for those."""
    with client_for(system, base_url) as client:
        return client.verify_login(username, password)

"""The portal's settings plus the benchmarks' trivial view (bench/urls.py).

Everything else comes from the environment exactly as in production; bench/load.py runs
gunicorn with production variables, bench/pages.py switches DEBUG off in its process.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""The engine under every letter: a Django template in, A4 PDF bytes out.

Letters are rendered by a worker after commit, far from any request, so they use their own
template engine (with the letter filters built in) and never fetch anything over the
network: the only resources a letter may load are the bundled font files and data: URIs.
"""

import atexit
import functools
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Engine
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

FONT_FAMILY = "Tinos"
FONT_FILES = {
    ("normal", "normal"): "Tinos-Regular.ttf",
    ("bold", "normal"): "Tinos-Bold.ttf",
    ("normal", "italic"): "Tinos-Italic.ttf",
    ("bold", "italic"): "Tinos-BoldItalic.ttf",
}
STYLESHEET_TEMPLATE = "letters/letter.css"
# Crockford's alphabet: no I, L, O or U, so a code read aloud or typed from paper survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 2
CODE_GROUP_LENGTH = 5

# Parsed fonts and stylesheet are worth keeping between letters (they are most of the cost
# of a short letter), but WeasyPrint's font configuration wraps Pango objects that are not
# safe to share between threads, so each thread keeps its own.
_per_thread = threading.local()
# Left in the cache, the main thread's Pango objects are freed only after Python has
# unloaded Pango at exit, and the process dies with SIGSEGV (seen in a worker and in the
# test run): release them while the libraries are still there.
atexit.register(lambda: vars(_per_thread).clear())


def render_pdf(template_name: str, context: Mapping) -> bytes:
    """Render `templates/<template_name>` with `context` and return the PDF bytes."""
    html = _engine().get_template(template_name).render(Context(dict(context)))
    font_config, stylesheet = _styles()
    document = HTML(string=html, base_url=font_dir().as_uri() + "/", url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


def font_dir() -> Path:
    return Path(getattr(settings, "LETTERS_FONT_DIR", settings.BASE_DIR / "static" / "fonts"))


def new_verification_code() -> str:
    """A fresh code such as '7KQ4M-2XDPA': 50 random bits, too many to guess."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def verification_url(code: str) -> str:
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{site}/xac-thuc/{code}/"


def qr_data_uri(url: str) -> str:
    """An SVG QR code as a data: URI, drawn as vectors so it stays sharp when printed."""
    return segno.make(url, error="m").svg_data_uri(border=0)


@functools.cache
def _engine() -> Engine:
    return Engine(
        dirs=[settings.BASE_DIR / "templates"],
        builtins=["provisioning.letters.filters"],
    )


def _styles() -> tuple[FontConfiguration, CSS]:
    key = font_dir()
    cached = getattr(_per_thread, "styles", None)
    if cached is None or cached[0] != key:
        font_config = FontConfiguration()
        css = _engine().get_template(STYLESHEET_TEMPLATE).render(Context(_font_context()))
        stylesheet = CSS(string=css, font_config=font_config, url_fetcher=_fetcher())
        cached = _per_thread.styles = (key, font_config, stylesheet)
    return cached[1], cached[2]


def _font_context() -> dict:
    # A missing font would make WeasyPrint fall back silently to whatever the server has,
    # and Vietnamese letters would lose glyphs such as Ư and ơ: fail loudly instead.
    faces = []
    for (weight, style), filename in FONT_FILES.items():
        path = font_dir() / filename
        if not path.is_file():
            raise ImproperlyConfigured(f"Letter font {path} is missing.")
        faces.append({"weight": weight, "style": style, "url": path.as_uri()})
    return {"font_family": FONT_FAMILY, "font_faces": faces}


def _fetcher() -> URLFetcher:
    # A new fetcher per document: WeasyPrint's fetcher keeps per-request state.
    return _LocalFetcher(font_dir().as_uri() + "/")


class _LocalFetcher(URLFetcher):
    """Loads data: URIs and the bundled fonts; refuses everything else."""

    def __init__(self, allowed_prefix):
        super().__init__(allowed_protocols={"data", "file"})
        self.allowed_prefix = allowed_prefix

    def fetch(self, url, headers=None):
        if url.startswith("data:") or (url.startswith(self.allowed_prefix) and ".." not in url):
            return super().fetch(url, headers)
        raise ValueError(f"Letters may not load {url}")

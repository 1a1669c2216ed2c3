"""How long each letter takes to render, against a one-second budget.

    .venv/bin/python bench/letters.py [--repeat 20] [--png /tmp/letters]

The first render of each letter is left out of the mean (it loads the fonts and parses the
stylesheet, once per worker thread) and reported as the cold time. With --png, every
letter is also written as PDF and as PNG pages (pdftoppm, from poppler-utils) for a look.
"""

import argparse
import io
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET_MS = 1000.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="renders per letter")
    parser.add_argument("--png", type=Path, help="write each letter as PDF and PNG here")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    # WeasyPrint logs every layout step at INFO, which the portal's root logger prints.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from pypdf import PdfReader

    from provisioning.letters.samples import LETTERS

    print(f"{'letter':<18}{'cold ms':>9}{'mean ms':>9}{'max ms':>9}{'of 1 s':>9}{'pages':>7}")
    for name, (render, sample) in LETTERS.items():
        context = sample()
        timings = []
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            pdf = render(context)
            timings.append((time.perf_counter() - started) * 1000)
        cold, warm = timings[0], timings[1:]
        mean = statistics.mean(warm)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{name:<18}{cold:>9.0f}{mean:>9.0f}{max(warm):>9.0f}{mean / BUDGET_MS:>9.2f}{pages:>7}"
        )
        if args.png:
            _write_png(args.png, name, pdf)


def _write_png(folder, name, pdf):
    folder.mkdir(parents=True, exist_ok=True)
    pdf_path = folder / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("  (pdftoppm not found: apt-get install poppler-utils)", file=sys.stderr)
        return
    subprocess.run([pdftoppm, "-png", "-r", "80", pdf_path, folder / name], check=True)


if __name__ == "__main__":
    main()

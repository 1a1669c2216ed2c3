# Sourced by the other scripts: picks a Python 3.12+ and makes the project's venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 \
      "$HOME/.pyenv/versions/$(cat .python-version 2>/dev/null)/bin/python" \
      "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! PY="$(find_python)"; then
    echo "Lỗi: cần Python 3.12 trở lên (Django 6.1 không chạy trên 3.11)." >&2
    echo "Error: Python 3.12 or newer is required; install it (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
    exit 1
  fi
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1

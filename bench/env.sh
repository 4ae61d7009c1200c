# Sourced by bench/quality and bench/speed: cd to the repository and set PYTHON
# to an interpreter that can run monitor (and so the benches).
#   1. $MONITOR_PYTHON, if set;
#   2. the repository's own .venv (README: "Start in two commands"), if it works;
#   3. else bench/.venv, created on first use with `pip install -e .` of this checkout.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
works() { [ -x "$1" ] && "$1" -c "import monitor.pipeline.check, lxml" >/dev/null 2>&1; }
if [ -n "${MONITOR_PYTHON:-}" ]; then
    PYTHON="$MONITOR_PYTHON"
elif works "$repo/.venv/bin/python"; then
    PYTHON="$repo/.venv/bin/python"
else
    if ! works "$repo/bench/.venv/bin/python"; then
        echo "bench: installing monitor into bench/.venv (once)…" >&2
        python3 -m venv "$repo/bench/.venv"
        "$repo/bench/.venv/bin/pip" install --quiet --upgrade pip
        "$repo/bench/.venv/bin/pip" install --quiet -e "$repo"
    fi
    PYTHON="$repo/bench/.venv/bin/python"
fi

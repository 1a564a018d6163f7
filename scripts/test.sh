#!/usr/bin/env bash
# Set up a virtual environment with the test extras and run the whole test suite.
# The browser tests (tests/web/test_browser.py) need Debian's chromium, driven by the Python
# playwright package (a test extra) with its executable path set; install it when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# a CJK font, so screenshots show the Chinese quotes of the evidence panel
if ! (command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .); then
    need_apt+=(fonts-wqy-zenhei)
fi
if ((${#need_apt[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1 \
            || (apt-get update -qq >/dev/null 2>&1 \
                && apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1)) \
            || echo "warning: could not install ${need_apt[*]}; browser tests need chromium" >&2
    else
        echo "note: ${need_apt[*]} missing and not root; browser tests skip outside CI" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# one worker per core, a test file per worker at a time: the models' first numba compiles
# (minutes each on a fresh cache) then run side by side instead of one after another, and a
# file's module fixtures are built once; "-n 0" after the command runs everything in one process
.venv/bin/python -m pytest -n auto --dist loadfile "$@"

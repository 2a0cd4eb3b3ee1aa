#!/usr/bin/env bash
# Regenerate the README's screenshots of the SMTP Settings page: the browser tests take them
# at each step (Debian's Chromium, headless) when SMTPOPS_SCREENSHOTS names a folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
SMTPOPS_SCREENSHOTS="$PWD/docs/screenshots" .venv/bin/python -m pytest -q tests/web/test_browser.py
ls -l docs/screenshots/*.png

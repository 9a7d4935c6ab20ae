#!/usr/bin/env bash
# Installs what the quiz demo's browser test (BrowserEndToEndTest) needs: Debian's Chromium and
# ChromeDriver at /usr/bin/chromium and /usr/bin/chromedriver. Without them that test is skipped.
# Run as root (CI) or with sudo; does nothing when both are already installed.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  echo "chromium and chromedriver already installed"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver
fi
/usr/bin/chromium --version 2>/dev/null || true
/usr/bin/chromedriver --version

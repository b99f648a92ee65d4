#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing (the console's browser test drives a real one).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "ensure-chromium: chromium is missing and installing it needs root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null

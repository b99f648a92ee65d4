#!/usr/bin/env bash
# Installs wrk from Debian's packages when it is missing: the cold-path and workers rows of `npm run
# bench` (P7, P8) load the service with it, a C load generator that leaves most of a core to the
# server (autocannon, in Node, takes a whole one).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then exit 0; fi
# Without root only a warning: rows P1–P6 do not need wrk, and P7/P8 say so when it is missing.
if [ "$(id -u)" != 0 ]; then echo "ensure-wrk: wrk is missing and installing it needs root (apt-get install wrk); P7 and P8 will fail" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null

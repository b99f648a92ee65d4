#!/usr/bin/env bash
# Server user-space instructions per `GET /auth/verify`, counted by callgrind: unlike req/s, the count
# does not move with this machine's load, so it can judge a change of a few percent. Needs valgrind
# and a built package (`npm run build`). Kernel time (the TCP write and read) is not counted.
#
#   bash bench/instructions.sh bare-fastify.mjs
#   bash bench/instructions.sh tenure.mjs BENCH_STORAGE=cookie
#
# Runs the server twice under callgrind (V8 single-threaded, so compilation and GC happen on the
# counted thread and repeat), loads one with 2,000 requests and the other with 12,000 (autocannon,
# 10 connections), and divides the difference of the totals by 10,000: start-up and warm-up cancel.
# BENCH_MANY=N loads the second with N requests instead (a larger N dilutes what does not cancel).
# A server under valgrind on a loaded machine can take minutes to start: it is waited for up to
# BENCH_READY_SECONDS (default 900).
set -euo pipefail
script=${1:?usage: bench/instructions.sh SERVER.mjs [NAME=VALUE ...]}
shift
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() {
  local n=$1
  env "${@:2}" valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$out/$n.cg" \
    node --single-threaded "bench/servers/$script" > "$out/$n.ready" 2> "$out/$n.log" &
  local server=$!
  for _ in $(seq 1 "${BENCH_READY_SECONDS:-900}"); do grep -q port "$out/$n.ready" 2>/dev/null && break; sleep 1; done
  local ready port cookie
  ready=$(head -1 "$out/$n.ready")
  port=$(node -e 'console.log(JSON.parse(process.argv[1]).port)' "$ready")
  cookie=$(node -e 'console.log(JSON.parse(process.argv[1]).cookie ?? "")' "$ready")
  ./node_modules/.bin/autocannon -a "$n" -c 10 -H "cookie: $cookie" "http://127.0.0.1:$port/auth/verify" > "$out/$n.load" 2>&1
  touch "$out/$n.done"
  # Both servers live until both loads are done, so time-driven work (timers, the webhook poll, the
  # store probe) runs as long in each and cancels in the difference, however slowly valgrind serves.
  while [ "$(ls "$out"/*.done | wc -l)" -lt 2 ]; do sleep 0.2; done
  kill -TERM "$server"
  wait "$server" || true
}

many_requests=${BENCH_MANY:-12000}
count 2000 "$@" &
count "$many_requests" "$@" &
wait
few=$(grep -o 'Collected : [0-9]*' "$out/2000.log" | awk '{print $3}')
many=$(grep -o 'Collected : [0-9]*' "$out/$many_requests.log" | awk '{print $3}')
echo "$script $*: $(( (many - few) / (many_requests - 2000) )) instructions per request"

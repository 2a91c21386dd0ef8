#!/bin/bash
# Interim cluster measurement (issue 15), until `pnpm bench` has cluster scenarios: the same load
# against one relay (no Redis) and against two relay nodes sharing a redis-server, each member of a
# room on alternating nodes (the load tester's comma-separated --url), on loopback ports.
# Prints one line per mode: delivered ratio, latency, wire bytes per delivered, relay CPU (both
# nodes, from /proc) per delivered message, Redis CPU, bus drops.
# Usage (after `pnpm build`): bench/cluster-compare.sh [reliable|latest] [rooms] [hz] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
CLS=${1:-reliable}; ROOMS=${2:-4}; HZ=${3:-10}; SECS=${4:-5}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v k="$TCK" 'BEGIN { printf "%.2f", t / k }'; }
EXTRA=""; [ "$CLS" = latest ] && EXTRA="--cursor"
LOAD="$EXTRA --class $CLS --rooms $ROOMS --per-room 10 --hz $HZ --seconds $SECS --warmup 1 --probe-ratio 0.3 --seed 42 --quiet"
relay() { local port=$1; shift; env "$@" PORT="$port" TCP_PORT=off HOST=127.0.0.1 LOG_LEVEL=warn node apps/relay/dist/main.js >"$TMP/relay-$port.log" 2>&1 & echo $!; }
wait_up() { for _ in $(seq 100); do curl -sf "127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; echo "relay on $1 did not start" >&2; exit 1; }
report() { # mode json relay_cpu_s [redis_cpu_s bus_metrics_file]
  node -e '
    const [mode, file, cpu, redis, bus] = process.argv.slice(1);
    const d = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const drops = bus ? [...require("fs").readFileSync(bus, "utf8").matchAll(/reason="(\w+)"[^ ]* (\d+)/g)].map((m) => `${m[1]} ${m[2]}`).join(", ") : "";
    const lat = d.latency_ms ? `p50 ${d.latency_ms.p50} ms, p99 ${d.latency_ms.p99} ms` : "";
    const age = d.value_age_ms ? `value age p50 ${d.value_age_ms.p50} ms, p99 ${d.value_age_ms.p99} ms` : "";
    console.log(`${mode}: delivered ratio ${d.delivered_ratio} (${d.delivered}), ${lat} ${age}, wire bytes/delivered ${d.wire_bytes_per_delivered}, `
      + `relay CPU ${cpu} s = ${(cpu * 1e6 / d.delivered).toFixed(1)} us/delivered${redis ? `, Redis CPU ${redis} s, bus drops on node b: ${drops}` : ""}`
      + (d.loadgen_bottleneck ? " [load generator was the bottleneck]" : ""));
  ' "$@"
}

P=$(free_port); S=$(relay "$P"); wait_up "$P"
c0=$(cpu_ticks "$S")
node apps/loadtest/dist/cli.js --url "ws://127.0.0.1:$P/ws" $LOAD --json "$TMP/single.json" >/dev/null 2>&1 || true
c1=$(cpu_ticks "$S"); kill "$S"
report "one relay        " "$TMP/single.json" "$(secs $((c1 - c0)))"

RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & R=$!
sleep 0.3
PA=$(free_port); PB=$(free_port)
A=$(relay "$PA" REDIS_URL="redis://127.0.0.1:$RP" RELAY_NODE_ID=a); B=$(relay "$PB" REDIS_URL="redis://127.0.0.1:$RP" RELAY_NODE_ID=b)
wait_up "$PA"; wait_up "$PB"
a0=$(cpu_ticks "$A"); b0=$(cpu_ticks "$B"); r0=$(cpu_ticks "$R")
node apps/loadtest/dist/cli.js --url "ws://127.0.0.1:$PA/ws,ws://127.0.0.1:$PB/ws" $LOAD --json "$TMP/cluster.json" >/dev/null 2>&1 || true
a1=$(cpu_ticks "$A"); b1=$(cpu_ticks "$B"); r1=$(cpu_ticks "$R")
curl -s "127.0.0.1:$PB/metrics" | grep '^roomcast_bus_dropped_total' >"$TMP/bus.txt"
report "two nodes + Redis" "$TMP/cluster.json" "$(secs $((a1 - a0 + b1 - b0)))" "$(secs $((r1 - r0)))" "$TMP/bus.txt"

#!/usr/bin/env bash
# Load balancer CPU cost per request: the CPU time `vfx lb` spends on a
# request against HAProxy's and nginx's, side by side in one run, each
# proxy pinned to CPU 1 with one thread (GOMAXPROCS=1, nbthread 1,
# worker_processes 1) in front of the same `vfx worker` (GOMAXPROCS=1,
# pinned to CPU 0 with the client, `vfx load`) on 127.0.0.1.
#
# Two requests:
#   - tiny: a ray trace of test01 at 1x1, the cheapest compute request,
#     where the proxy's per-request work shows most;
#   - blur: a blur of land3_640x480.bmp re-encoded as a JPEG of quality 98
#     (bench/lbimage), a body of 657 KiB, where reading, checking and
#     forwarding the body shows.
# A proxy's CPU time is the run time of its threads (/proc/PID/task/*/schedstat,
# in ns; the nginx master's and worker's), read before and after a batch
# of requests sent through it by `vfx load --clients`, over the requests
# answered 200; utime+stime (/proc/PID/stat, in 10 ms ticks) is shown
# beside it as a check. The
# batches run in ROUNDS rounds, each sending both requests through every
# proxy in a rotating order (interleaved, so that the machine's other load
# falls on all alike); the table gives each proxy's min, median and spread
# (max - min) over the rounds, in µs of CPU per request, and the ratio of
# `vfx lb`'s median to HAProxy's.
#
# BASE=REV adds the `vfx lb` of git revision REV as another proxy (before
# and after a change, in one run). Needs haproxy, nginx, taskset, python3
# and curl: run as root it installs the missing ones with apt-get (nothing
# when they are present); as another user it prints the apt-get command
# and exits 1.
#
#   bash bench/lb.sh               # ROUNDS=5 TINY=3000 BLURS=100 CLIENTS=4
#   BASE=HEAD~3 bash bench/lb.sh   # also the lb of three commits ago
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/need-tools.sh
ROUNDS=${ROUNDS:-5}
TINY=${TINY:-3000}
BLURS=${BLURS:-100}
CLIENTS=${CLIENTS:-4}
BASE=${BASE:-}

export PATH=$PATH:/usr/sbin # haproxy and nginx
need_tools lb.sh "the benchmark measures the CPU per request of vfx lb, HAProxy and nginx, each pinned to a CPU" \
	haproxy:haproxy nginx:nginx taskset:util-linux python3:python3 curl:curl
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] && [ "$TINY" -ge 1 ] && [ "$TINY" -le 100000 ] &&
	[ "$BLURS" -ge 1 ] && [ "$BLURS" -le 10000 ] || { echo "lb.sh: ROUNDS 1-50, TINY 1-100000, BLURS 1-10000" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
waitport() {
	for _ in $(seq 1 200); do
		if curl -s -o /dev/null "http://127.0.0.1:$1/${2:-health}"; then return 0; fi
		sleep 0.05
	done
	echo "lb.sh: nothing answers on port $1" >&2
	cat "$work"/*.log >&2
	exit 1
}
seed=${SEED_DATA:-../shared/seed-data}
[ -d "$seed" ] || { echo "lb.sh: no seed data at $seed" >&2; exit 1; }

go build -o "$work/vfx" ./cmd/vfx
if [ -n "$BASE" ]; then
	rev=$(git rev-parse --short "$BASE")
	mkdir -p "$work/base"
	git archive "$rev" | tar -x -C "$work/base"
	(cd "$work/base" && go build -o "$work/vfx-base" ./cmd/vfx)
fi
go run ./bench/lbimage -quality 98 "$seed/webserver-sample-bmps/land3_640x480.bmp" "$work/land3.jpg"
cat >"$work/tiny.yaml" <<YAML
items:
  - {name: tiny, workload: raytracer, scene: $(realpath "$seed/raytracer/scenes/test01.txt"), scols: 1, srows: 1}
YAML
cat >"$work/blur.yaml" <<YAML
items:
  - {name: blur, workload: blur, image: $work/land3.jpg}
YAML

WP=$(freeport)
GOMAXPROCS=1 taskset -c 0 "$work/vfx" worker --listen "127.0.0.1:$WP" --store none --id bench \
	--max-inflight 256 --log-level error >"$work/worker.log" 2>&1 &
pids+=($!)
waitport "$WP"

names=() ports=() procs=()
startlb() { # name binary
	local port
	port=$(freeport)
	GOMAXPROCS=1 taskset -c 1 "$2" lb --provider static --workers "http://127.0.0.1:$WP" \
		--listen "127.0.0.1:$port" --store none --max-inflight 256 --log-level error >"$work/lb-$port.log" 2>&1 &
	pids+=($!)
	names+=("$1") ports+=("$port") procs+=("$!")
}
startlb "vfx lb" "$work/vfx"
[ -n "$BASE" ] && startlb "vfx lb at $rev" "$work/vfx-base"

HP=$(freeport)
cat >"$work/haproxy.cfg" <<CFG
global
	maxconn 4096
	nbthread 1
defaults
	mode http
	timeout connect 5s
	timeout client 60s
	timeout server 600s
	option http-keep-alive
	http-reuse always
frontend fe
	bind 127.0.0.1:$HP
	default_backend be
backend be
	server w1 127.0.0.1:$WP maxconn 256
CFG
taskset -c 1 haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
names+=("HAProxy $(haproxy -v | awk 'NR==1{sub(/-.*/, "", $3); print $3}')") ports+=("$HP") procs+=("$!")

NP=$(freeport)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CFG
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	upstream w { server 127.0.0.1:$WP; keepalive 256; }
	server {
		listen 127.0.0.1:$NP;
		client_max_body_size 64m;
		client_body_buffer_size 1m;
		location / {
			proxy_pass http://w;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CFG
taskset -c 1 nginx -c "$work/nginx.conf" -p "$work/nginx" >"$work/nginx.log" 2>&1 &
pids+=($!)
names+=("nginx $(nginx -v 2>&1 | sed 's/.*nginx\///; s/ .*//')") ports+=("$NP") procs+=("$!")

for p in "${ports[@]}"; do waitport "$p"; done
# vfx lb routes once the worker passed its health checks.
for i in "${!names[@]}"; do
	[[ ${names[$i]} == vfx* ]] || continue
	for _ in $(seq 1 100); do
		curl -s "http://127.0.0.1:${ports[$i]}/api/v1/state" | grep -q '"state": "ready"' && break
		sleep 0.05
	done
done

# cputime PID: "NS TICKS", the CPU time of PID and its children (nginx's
# worker): the nanoseconds its threads ran (/proc/PID/task/*/schedstat)
# and its utime+stime in clock ticks (/proc/PID/stat, which also counts
# threads that exited, but only in 10 ms ticks).
cputime() {
	local p f ns=0 ticks=0 a
	for p in "$1" $(pgrep -P "$1" || true); do
		for f in /proc/"$p"/task/*/schedstat; do
			read -r a _ <"$f" && ns=$((ns + a))
		done
		ticks=$((ticks + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
	done
	echo "$ns $ticks"
}
hz=$(getconf CLK_TCK)
load() { # port spec count -> requests answered 200
	taskset -c 0 "$work/vfx" load "http://127.0.0.1:$1" --spec "$2" --clients "$CLIENTS" --count "$3" \
		--timeout 60s --format json --report-every 0 2>>"$work/load.log" |
		python3 -c 'import json,sys; print(next(r["ok"] for r in json.load(sys.stdin)["rows"] if r["name"] == "all"))'
}

# Warm-up: connections, the cost model's first samples.
for i in "${!names[@]}"; do
	load "${ports[$i]}" "$work/tiny.yaml" 200 >/dev/null
	load "${ports[$i]}" "$work/blur.yaml" 4 >/dev/null
done

results="$work/results.tsv"
n=${#names[@]}
for round in $(seq 1 "$ROUNDS"); do
	for w in tiny blur; do
		count=$TINY
		[ $w = blur ] && count=$BLURS
		for k in $(seq 0 $((n - 1))); do
			i=$(((k + round) % n))
			read -r ns0 t0 < <(cputime "${procs[$i]}")
			ok=$(load "${ports[$i]}" "$work/$w.yaml" "$count")
			read -r ns1 t1 < <(cputime "${procs[$i]}")
			[ "$ok" -gt 0 ] || { echo "lb.sh: ${names[$i]} answered no $w request" >&2; cat "$work"/*.log >&2; exit 1; }
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$i" "$((ns1 - ns0))" "$((t1 - t0))" "$ok" "$count" >>"$results"
		done
	done
	echo "lb.sh: round $round of $ROUNDS done" >&2
done

python3 - "$results" "$hz" "$ROUNDS" "$CLIENTS" "$TINY" "$BLURS" "${names[@]}" <<'PY'
import statistics, sys
path, hz, rounds, clients, tiny, blurs = sys.argv[1:7]
names = sys.argv[7:]
hz = int(hz)
per, ticks, short = {}, {}, {}  # (workload, proxy) -> [µs per request], [ticks, requests], requests not 200
for line in open(path):
    w, i, ns, t, ok, count = line.split()
    k = (w, int(i))
    per.setdefault(k, []).append(int(ns) / 1e3 / int(ok))
    tk = ticks.setdefault(k, [0, 0])
    tk[0] += int(t)
    tk[1] += int(ok)
    short[k] = short.get(k, 0) + int(count) - int(ok)
print("### Load balancer CPU per request, 127.0.0.1")
print()
print(f"Each proxy on CPU 1 (one thread), the worker and `vfx load --clients {clients}` on CPU 0; "
      f"{rounds} interleaved rounds of {tiny} tiny ray traces and {blurs} blurs of 657 KiB through each proxy. "
      "CPU µs per request answered 200, from the proxy's threads' run time (/proc/PID/task/*/schedstat); "
      "spread is max - min over the rounds; the last column is the mean over all rounds from utime+stime (/proc/PID/stat, 10 ms ticks).")
print()
print("| request | proxy | min µs | median µs | spread µs | median vs HAProxy | utime+stime µs | not 200 |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
hap = next(i for i, n in enumerate(names) if n.startswith("HAProxy"))
labels = {"tiny": "ray trace test01 1x1", "blur": "blur, 657 KiB body"}
for w in ("tiny", "blur"):
    base = statistics.median(per[(w, hap)]) or float("nan")
    for i, n in enumerate(names):
        v = per[(w, i)]
        med = statistics.median(v)
        t, ok = ticks[(w, i)]
        print(f"| {labels[w]} | {n} | {min(v):.0f} | {med:.0f} | {max(v) - min(v):.0f} | {med / base:.2f}x "
              f"| {t / hz * 1e6 / ok:.0f} | {short[(w, i)]} |")
PY

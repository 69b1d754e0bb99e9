#!/usr/bin/env bash
# Load balancer overhead: latency and throughput of the smallest compute
# request (POST /blurimage of a 1x1 PNG: a request both a worker and the
# load balancer serve, where the proxy's own work is most visible) sent
#   - straight to one `vfx worker`,
#   - through `vfx lb --provider static` (decode + cost model + policy),
#   - through HAProxy and through nginx (plain reverse proxies),
# all in front of the same worker on 127.0.0.1, measured with wrk in one
# run. The worker is pinned to CPU 0 and every proxy to CPU 1, one thread
# each (GOMAXPROCS=1, nbthread 1, worker_processes 1).
#
# Two passes per target: one connection (unloaded latency: what a hop
# adds) for LAT_DURATION, then CONNS connections (throughput) for DURATION.
# Prints a Markdown table. Needs wrk, haproxy, nginx, taskset and python3:
# run as root it installs the missing ones with apt-get (nothing when they
# are present); as another user it prints the apt-get command and exits 1.
#
#   bash bench/lb.sh                   # DURATION=10s LAT_DURATION=5s CONNS=32
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/need-tools.sh
DURATION=${DURATION:-10s}
LAT_DURATION=${LAT_DURATION:-5s}
CONNS=${CONNS:-32}

export PATH=$PATH:/usr/sbin # haproxy and nginx
need_tools lb.sh "the benchmark measures vfx lb against HAProxy and nginx with wrk, each proxy pinned to a CPU" \
	wrk:wrk haproxy:haproxy nginx:nginx taskset:util-linux python3:python3

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
	exit 1
}

go build -o "$work/vfx" ./cmd/vfx
WP=$(freeport); LP=$(freeport); HP=$(freeport); NP=$(freeport)

GOMAXPROCS=1 taskset -c 0 "$work/vfx" worker --listen "127.0.0.1:$WP" --store none --id bench \
	--max-inflight 256 --log-level error >"$work/worker.log" 2>&1 &
pids+=($!)
waitport "$WP"

GOMAXPROCS=1 taskset -c 1 "$work/vfx" lb --provider static --workers "http://127.0.0.1:$WP" \
	--listen "127.0.0.1:$LP" --store none --max-inflight 256 --log-level error >"$work/lb.log" 2>&1 &
pids+=($!)

cat >"$work/haproxy.cfg" <<EOF
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
EOF
taskset -c 1 haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)

mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
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
		location / {
			proxy_pass http://w;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
EOF
taskset -c 1 nginx -c "$work/nginx.conf" -p "$work/nginx" >"$work/nginx.log" 2>&1 &
pids+=($!)

waitport "$LP"; waitport "$HP"; waitport "$NP"
# vfx lb routes once the worker passed its health checks.
for _ in $(seq 1 100); do
	curl -s "http://127.0.0.1:$LP/api/v1/state" | grep -q '"state": "ready"' && break
	sleep 0.05
done

# The request: blur of a 1x1 PNG.
python3 - "$work/body.txt" <<'EOF'
import base64, struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"\x00\x80\x40\x20")) + chunk(b"IEND", b"")
open(sys.argv[1], "w").write("data:image/png;base64," + base64.b64encode(png).decode())
EOF
cat >"$work/post.lua" <<EOF
local f = io.open("$work/body.txt", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
done = function(summary, latency, requests)
	local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
	io.write(string.format("RESULT %.1f %.1f %.0f %d\n", latency:percentile(50), latency:percentile(99),
		summary.requests / (summary.duration / 1e6), errors))
end
EOF
for p in "$WP" "$LP" "$HP" "$NP"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --data @"$work/body.txt" "http://127.0.0.1:$p/blurimage")
	[ "$code" = 200 ] || { echo "lb.sh: port $p answered $code to the benchmark request" >&2; cat "$work"/*.log >&2; exit 1; }
done

run() { # url conns duration -> "p50 p99 rps errors"
	wrk -t1 -c"$2" -d"$3" -s "$work/post.lua" "$1" | awk '/^RESULT/ {print $2, $3, $4, $5}'
}

declare -A lat50 lat99 rps tp50 tp99 errs
names=("direct to the worker" "vfx lb (policy cost)" "HAProxy $(haproxy -v | awk 'NR==1{print $3}')" "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')")
ports=("$WP" "$LP" "$HP" "$NP")
for i in 0 1 2 3; do
	url="http://127.0.0.1:${ports[$i]}/blurimage"
	run "$url" 4 2s >/dev/null # warm-up
	read -r a b _ e1 < <(run "$url" 1 "$LAT_DURATION")
	read -r c d r e2 < <(run "$url" "$CONNS" "$DURATION")
	lat50[$i]=$a; lat99[$i]=$b; tp50[$i]=$c; tp99[$i]=$d; rps[$i]=$r; errs[$i]=$((e1 + e2))
done

echo "### Load balancer overhead: POST /blurimage of a 1x1 PNG, 127.0.0.1"
echo
echo "Worker on CPU 0, each proxy on CPU 1 (one thread); wrk: 1 connection for $LAT_DURATION (latency), $CONNS connections for $DURATION (throughput)."
echo
echo "| path | p50 µs (1 conn) | p99 µs (1 conn) | added p50 µs | req/s ($CONNS conns) | p50 µs ($CONNS) | p99 µs ($CONNS) | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for i in 0 1 2 3; do
	added=$(awk -v a="${lat50[$i]}" -v b="${lat50[0]}" 'BEGIN{printf "%+.0f", a-b}')
	[ "$i" = 0 ] && added="–"
	printf '| %s | %.0f | %.0f | %s | %.0f | %.0f | %.0f | %s |\n' "${names[$i]}" "${lat50[$i]}" "${lat99[$i]}" "$added" \
		"${rps[$i]}" "${tp50[$i]}" "${tp99[$i]}" "${errs[$i]}"
done
echo
awk -v l="${lat50[1]}" -v d="${lat50[0]}" -v h="${lat50[2]}" -v n="${lat50[3]}" -v rl="${rps[1]}" -v rh="${rps[2]}" -v rn="${rps[3]}" 'BEGIN{
	printf "vfx lb adds %.0f µs at p50 (HAProxy %.0f µs, nginx %.0f µs); its throughput is %.0f%% of HAProxy'"'"'s and %.0f%% of nginx'"'"'s.\n",
		l-d, h-d, n-d, 100*rl/rh, 100*rl/rn }'

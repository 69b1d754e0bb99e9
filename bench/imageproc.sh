#!/usr/bin/env bash
# Throughput of blur and enhance on one 2-megapixel image (1920x1080, the
# seed image airplane.jpg scaled up), for vfx, ImageMagick and libvips, all
# measured here, on the same image, on this machine. Prints a Markdown table
# of megapixels per second (best of $RUNS runs; higher is better).
#
#   bench/imageproc.sh            # RUNS=3, each command bounded by TIMEOUT=120 s
#
# Columns:
#   filter only    vfx's own filter time (from its stderr line), no codec.
#   raw in/out     the whole command with uncompressed files: BMP for vfx,
#                  PPM/PGM for ImageMagick, .v for libvips.
#   JPEG in/out    the whole command, JPEG in and JPEG out (quality 75).
# Needs ImageMagick and libvips: run as root it installs imagemagick and
# libvips-tools with apt-get when they are missing (nothing when present);
# as another user it prints the apt-get command and exits 1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/need-tools.sh"
SEED=${SEED:-$ROOT/../shared/seed-data}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-120}
W=1920
H=1080
MP=$(awk "BEGIN{print $W*$H/1e6}")

IM=/usr/bin/convert # the real ImageMagick, not a stand-in earlier in PATH
need_tools imageproc.sh "the benchmark compares vfx with ImageMagick and libvips" \
	"$IM:imagemagick" vips:libvips-tools
if ! "$IM" -version 2>/dev/null | grep -q ImageMagick; then
	echo "imageproc.sh: $IM is not ImageMagick's convert" >&2
	exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
go build -o "$WORK/vfx" ./cmd/vfx

# The test image, in every container each tool reads cheaply.
"$IM" "$SEED/imageproc/inputs/airplane.jpg" -resize "${W}x${H}!" -quality 90 "$WORK/in.jpg"
"$IM" "$WORK/in.jpg" "$WORK/in.ppm"
"$IM" "$WORK/in.jpg" -type TrueColor "BMP3:$WORK/in.bmp"
"$IM" "$WORK/in.jpg" -colorspace Gray "$WORK/gray.pgm"
"$IM" "$WORK/in.jpg" -colorspace Gray -quality 90 "$WORK/gray.jpg"
vips copy "$WORK/in.jpg" "$WORK/in.v"
vips colourspace "$WORK/in.jpg" "$WORK/gray.v" b-w

# best_time CMD...: the lowest wall time in seconds over $RUNS runs.
best_time() {
	local best="" t0 t1 t
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		timeout "$TIMEOUT" "$@" >/dev/null 2>"$WORK/stderr" || { echo "failed: $* ($(tail -1 "$WORK/stderr"))" >&2; echo ""; return; }
		t1=$(date +%s.%N)
		t=$(awk "BEGIN{print $t1-$t0}")
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best"
}

# best_filter CMD...: the lowest "filter wall" that vfx reports on stderr.
best_filter() {
	local best="" t
	for _ in $(seq "$RUNS"); do
		timeout "$TIMEOUT" "$@" 2>"$WORK/stderr" >/dev/null || { echo ""; return; }
		t=$(sed -n 's/.*filter wall \([0-9.]*\)\(ms\|s\|µs\).*/\1 \2/p' "$WORK/stderr" |
			awk '{ if ($2 == "ms") print $1/1e3; else if ($2 == "µs") print $1/1e6; else print $1 }')
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best"
}

mps() { if [ -z "$1" ]; then echo "failed"; else awk "BEGIN{printf \"%.3g\", $MP/$1}"; fi; }

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }

echo "Image: ${W}x${H} (${MP} MP), $(nproc) cores, $(go env GOVERSION), $("$IM" -version | head -1 | cut -d' ' -f2-3), vips $(vips --version | cut -d- -f2)"
echo
echo "| tool and operation | filter only | raw in/out | JPEG in/out |"
echo "|---|---:|---:|---:|"
V="$WORK/vfx"
row "vfx blur (exact original blur: radius 32, sigma 13)" \
	"$(mps "$(best_filter "$V" blur "$WORK/in.bmp" -o "$WORK/out.bmp")")" \
	"$(mps "$(best_time "$V" blur "$WORK/in.bmp" -o "$WORK/out.bmp")")" \
	"$(mps "$(best_time "$V" blur "$WORK/in.jpg" -o "$WORK/out.jpg")")"
row "vfx enhance (exact original local equalisation, 101x101)" \
	"$(mps "$(best_filter "$V" enhance "$WORK/in.bmp" -o "$WORK/out.bmp")")" \
	"$(mps "$(best_time "$V" enhance "$WORK/in.bmp" -o "$WORK/out.bmp")")" \
	"$(mps "$(best_time "$V" enhance "$WORK/gray.jpg" -o "$WORK/out.jpg")")"
# -blur is ImageMagick's separable Gaussian; -gaussian-blur 0x13 convolves with
# a 2-D kernel and takes about a minute here, so it is left out.
row "ImageMagick \`-blur 32x13\` (separable)" "—" \
	"$(mps "$(best_time "$IM" "$WORK/in.ppm" -blur 32x13 "$WORK/out.ppm")")" \
	"$(mps "$(best_time "$IM" "$WORK/in.jpg" -blur 32x13 -quality 75 "$WORK/out.jpg")")"
row "ImageMagick \`-local-contrast 50x100\` (nearest to enhance; no \`-clahe\` in 6.9)" "—" \
	"$(mps "$(best_time "$IM" "$WORK/gray.pgm" -local-contrast 50x100 "$WORK/out.pgm")")" \
	"$(mps "$(best_time "$IM" "$WORK/gray.jpg" -local-contrast 50x100 -quality 75 "$WORK/out.jpg")")"
row "libvips \`gaussblur 13\`" "—" \
	"$(mps "$(best_time vips gaussblur "$WORK/in.v" "$WORK/out.v" 13)")" \
	"$(mps "$(best_time vips gaussblur "$WORK/in.jpg" "$WORK/out.jpg[Q=75]" 13)")"
# hist_local reads its input out of order, so the JPEG is decoded to memory.
row "libvips \`hist_local 101 101\` (grey)" "—" \
	"$(mps "$(best_time vips hist_local "$WORK/gray.v" "$WORK/out.v" 101 101)")" \
	"$(mps "$(best_time vips hist_local "$WORK/gray.jpg[memory=true]" "$WORK/out.jpg[Q=75]" 101 101)")"

#!/usr/bin/env bash
# Measures the original Java ray tracer side by side with ours, in CPU-seconds
# per render, and prints a Markdown table (date, load average, min/median/spread).
#
# The original's code is not part of this repository: point JAVA_SRC at a
# checkout of it (any directory holding the course ray tracer's sources, the
# package pt.ulisboa.tecnico.cnv.raytracer with RayTracer.java, Main.java,
# shapes/ and pigments/). The script compiles those sources (minus the HTTP/
# Lambda handlers) into a temporary directory together with a small harness it
# writes itself, which only calls the original's public entry points:
# new RayTracer(scols, srows, wcols, wrows, coff, roff), readScene(scene, texmap)
# and draw(), with Main.ANTI_ALIAS = false and Main.MULTI_THREAD = false (the
# original's defaults: one rendering thread).
#
#   JAVA_SRC=DIR bash bench/java-raytracer.sh [-rounds N] (default 5)
#
# Each round runs, one after the other (interleaved A/B):
#   (a) one fresh JVM that renders test04 800x450 (cold, then 3 more times),
#       then test01 400x300 and test-texmap 400x300 (4 times each); JVM
#       start-up is not counted. CPU time per render: the rendering thread's CPU
#       time (ThreadMXBean), the same measure as ours, and the whole process's
#       CPU time (JIT compiler and GC threads included).
#   then one run of the original's own command line (raytracer.Main) on test04
#       800x450, JVM start-up included (user+sys CPU of the process), whose
#       BMP is compared with seed-data/raytracer/reference-renders/04.bmp;
#   (b) our BenchmarkRender for the same cases (-benchtime 2x), whose cpu-s/op is
#       the CPU time of the rendering goroutines.
# "steady" is the median over rounds of each round's median of renders 2..4.
# Bounded: every step is killed after $BENCH_TIMEOUT seconds (default 300).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
if [[ "${1:-}" == "-rounds" && -n "${2:-}" ]]; then
	rounds=$2
fi
timeout_s=${BENCH_TIMEOUT:-300}

if [[ -z "${JAVA_SRC:-}" ]]; then
	cat >&2 <<'MSG'
bench/java-raytracer.sh needs the original Java ray tracer's sources, which this
repository does not contain. Set JAVA_SRC to a directory holding them (the package
pt.ulisboa.tecnico.cnv.raytracer: RayTracer.java, Main.java, Camera.java, ...,
shapes/*.java, pigments/*.java), for example a checkout of one of the public
SpecialVFX@Cloud course repositories, and a JDK 11+ (javac, java) on PATH:

    JAVA_SRC=/path/to/checkout bash bench/java-raytracer.sh
MSG
	exit 2
fi
if [[ ! -d "$JAVA_SRC" ]]; then
	echo "bench/java-raytracer.sh: JAVA_SRC=$JAVA_SRC is not a directory" >&2
	exit 2
fi
for tool in java javac go python3; do
	command -v "$tool" >/dev/null || { echo "bench/java-raytracer.sh: $tool not found on PATH" >&2; exit 2; }
done

seed=$(cd ../shared/seed-data/raytracer 2>/dev/null && pwd) || {
	echo "bench/java-raytracer.sh: seed data not found at ../shared/seed-data/raytracer" >&2
	exit 2
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t srcs < <(find "$JAVA_SRC" -path '*pt/ulisboa/tecnico/cnv/raytracer/*' -name '*.java' \
	! -name '*Handler.java' ! -path '*/test/*')
if ((${#srcs[@]} == 0)); then
	echo "bench/java-raytracer.sh: no pt/ulisboa/tecnico/cnv/raytracer/*.java under $JAVA_SRC" >&2
	exit 2
fi

cat >"$tmp/JavaRenderBench.java" <<'JAVA'
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Paths;

import pt.ulisboa.tecnico.cnv.raytracer.Main;
import pt.ulisboa.tecnico.cnv.raytracer.RayTracer;

// Renders each case several times in one JVM and prints, per render:
// "java <scene> <WxH> <iteration> <thread-cpu-s> <process-cpu-s>".
public class JavaRenderBench {
    public static void main(String[] args) throws Exception {
        String seed = args[0];
        int reps = Integer.parseInt(args[1]);
        Main.ANTI_ALIAS = false;
        Main.MULTI_THREAD = false;
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[][] cases = {
            {"test04.txt", "800", "450", ""},
            {"test01.txt", "400", "300", ""},
            {"test-texmap.txt", "400", "300", "test-texmap.bmp"},
        };
        for (String[] c : cases) {
            byte[] scene = Files.readAllBytes(Paths.get(seed, "scenes", c[0]));
            byte[] tex = c[3].isEmpty() ? null : Files.readAllBytes(Paths.get(seed, "textures", c[3]));
            int w = Integer.parseInt(c[1]), h = Integer.parseInt(c[2]);
            for (int i = 1; i <= reps; i++) {
                long t0 = tmx.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime();
                RayTracer rt = new RayTracer(w, h, w, h, 0, 0);
                rt.readScene(scene, tex);
                if (rt.draw() == null) throw new IllegalStateException("no image");
                long t1 = tmx.getCurrentThreadCpuTime(), p1 = os.getProcessCpuTime();
                System.out.printf("java %s %dx%d %d %.4f %.4f%n", c[0], w, h, i, (t1 - t0) / 1e9, (p1 - p0) / 1e9);
            }
        }
    }
}
JAVA

mkdir -p "$tmp/classes"
javac -nowarn -d "$tmp/classes" "${srcs[@]}" "$tmp/JavaRenderBench.java" 2>"$tmp/javac.log" || {
	cat "$tmp/javac.log" >&2
	exit 1
}
go test -c -o "$tmp/raytracer.test" ./internal/raytracer

# go test splits -bench at every '/', one pattern per sub-benchmark level.
filter='^BenchmarkRender$/^scene=(test04|test01|test-texmap)\.txt$/^size=(800x450|400x300)$/^aa=false$'
results="$tmp/results.txt"
for ((r = 1; r <= rounds; r++)); do
	echo "round $r/$rounds: java" >&2
	timeout "$timeout_s" java -Xss8m -cp "$tmp/classes" JavaRenderBench "$seed" 4 2>/dev/null |
		sed "s/^/$r /" >>"$results"
	echo "round $r/$rounds: java command line" >&2
	TIMEFORMAT='%U %S'
	t=$({ time timeout "$timeout_s" java -cp "$tmp/classes" pt.ulisboa.tecnico.cnv.raytracer.Main \
		"$seed/scenes/test04.txt" "$tmp/cli.bmp" 800 450 800 450 0 0 >/dev/null 2>&1; } 2>&1)
	awk -v r="$r" '{ print r, "javacli", "test04.txt", "800x450", 1, $1 + $2, $1 + $2 }' <<<"$t" >>"$results"
	echo "round $r/$rounds: go" >&2
	(cd internal/raytracer && timeout "$timeout_s" "$tmp/raytracer.test" -test.run '^$' \
		-test.bench "$filter" -test.benchtime 2x -test.timeout "${timeout_s}s") |
		awk -v r="$r" '/^BenchmarkRender\// {
			split($1, part, "/"); scene = part[2]; sub(/^scene=/, "", scene)
			size = part[3]; sub(/^size=/, "", size)
			for (i = 2; i < NF; i++) if ($(i+1) == "cpu-s/op") print r, "go", scene, size, 0, $i, $i
		}' >>"$results"
done

echo "Ray tracer CPU-seconds per render, original Java vs ours, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $rounds interleaved rounds; $(java -version 2>&1 | head -1); $(go version | cut -d' ' -f3)"
echo
echo "| scene | size | Java cold (1st render in a fresh JVM) | Java steady | Java steady, whole process | ours | Java steady / ours |"
echo "|---|---|---:|---:|---:|---:|---:|"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def stats(v):
    v = sorted(v)
    return min(v), statistics.median(v), max(v) - min(v)
def fmt(s):
    return "min %.3f / med %.3f / spread %.3f" % s
order = [("test04.txt", "800x450"), ("test01.txt", "400x300"), ("test-texmap.txt", "400x300")]
for scene, size in order:
    cold, steady, steadyp, ours = [], [], [], []
    for r in sorted({int(x[0]) for x in rows}):
        j = [x for x in rows if int(x[0]) == r and x[1] == "java" and x[2] == scene and x[3] == size]
        g = [x for x in rows if int(x[0]) == r and x[1] == "go" and x[2] == scene and x[3] == size]
        for x in j:
            if x[4] == "1":
                cold.append(float(x[5]))
        w = [x for x in j if x[4] != "1"]
        if w:
            steady.append(statistics.median(float(x[5]) for x in w))
            steadyp.append(statistics.median(float(x[6]) for x in w))
        ours += [float(x[5]) for x in g]
    if not (cold and steady and ours):
        print("| %s | %s | missing | | | | |" % (scene, size))
        continue
    ratio = statistics.median(steady) / statistics.median(ours)
    print("| %s | %s | %s | %s | %s | %s | %.1f× |" % (scene, size, fmt(stats(cold)), fmt(stats(steady)),
          fmt(stats(steadyp)), fmt(stats(ours)), ratio))
PY
python3 - "$results" <<'PY'
import statistics, sys
v = sorted(float(x.split()[5]) for x in open(sys.argv[1]) if x.split()[1] == "javacli")
if v:
    print()
    print("test04 800x450 through the original's command line (`java ... raytracer.Main test04.txt out.bmp 800 450 800 450 0 0`, "
          "one JVM per render: start-up, parsing and BMP writing included), user+sys CPU-seconds: "
          "min %.3f / med %.3f / spread %.3f" % (v[0], statistics.median(v), v[-1] - v[0]))
PY
if cmp -s "$tmp/cli.bmp" "$seed/reference-renders/04.bmp"; then
	echo "The Java render of test04 800x450 is byte-identical to seed-data/raytracer/reference-renders/04.bmp."
else
	echo "WARNING: the Java render of test04 800x450 differs from seed-data/raytracer/reference-renders/04.bmp."
fi
echo
echo "CPU-seconds (lower is better). Java: the rendering thread's CPU time (the original renders on one thread by default); \"whole process\" adds the JIT and GC threads. Ours: the CPU time of the rendering goroutines (BenchmarkRender cpu-s/op). test01 and test-texmap run after test04 in the same JVM, so their first render is not a cold start."

#!/usr/bin/env bash
# Decode throughput of every image format through its BlockSource (JMH, benchmarks module)
# against qemu-img bench on the same images, interleaved in the same run so that the noise of
# a shared machine hits both. One table of medians and ratios.
#
#   bench/jmh.sh        # from the repository root, after `mvn -B -DskipTests package`
#
# Images: bench/lib.sh make_images (BENCH_SIZE_MIB of seeded random, text-like and empty
# 64 KiB runs, converted by qemu-img into every format). Then, round by round and format by
# format, one after the other:
#   lunport  java -jar benchmarks/target/benchmarks.jar DecodeBenchmark -p image=IMG
#            sequential1M: 1 MiB reads in order over the disk; random4K: 4 KiB reads at random
#            aligned offsets; BENCH_THREADS threads (default 8, qemu's -d 8: on a machine shared
#            with other work the scheduler shares CPU per runnable thread, and qemu-img bench
#            has up to 8 pread workers runnable), one fork,
#            BENCH_WARMUPS + BENCH_ITERATIONS iterations of BENCH_ITERATION_SECONDS each.
#   qemu     qemu-img bench -f FMT -t writeback -d 8 -s 1M -c 2*SIZE_MIB (twice over the disk),
#            and -s 4k -c BENCH_COUNT4K -S 7919*4096: qemu-img bench has no random pattern, so
#            a large prime step (wrapping at the end of the disk) scatters its 4 KiB reads.
# Page cache warm: the images are read before they are timed, and both sides warm up.
#
# Environment: BENCH_ROUNDS (default 2), BENCH_SIZE_MIB (default 256), BENCH_FORMATS (subset
# of the names in bench/lib.sh, space separated), BENCH_THREADS, BENCH_WARMUPS (default 1),
# BENCH_ITERATIONS (default 3), BENCH_ITERATION_SECONDS (default 1), BENCH_COUNT4K (default
# 16384), BENCH_JAR (another build of the benchmarks jar, e.g. of an older commit, for a
# before/after table), BENCH_DIR (scratch dir, kept and reused; default a fresh one under /tmp, removed at
# the end), LUNPORT_JAVA_OPTS (JVM options of the benchmark forks). The defaults take about
# 30 s per format and round.
set -euo pipefail

ROUNDS=${BENCH_ROUNDS:-2}
SIZE_MIB=${BENCH_SIZE_MIB:-256}
FORMATS=${BENCH_FORMATS:-"qcow2 qcow2-deflate qcow2-zstd vmdk-sparse vmdk-stream vdi vhd vhdx"}
THREADS=${BENCH_THREADS:-8}
WARMUPS=${BENCH_WARMUPS:-1}
ITERATIONS=${BENCH_ITERATIONS:-3}
ITER_SECS=${BENCH_ITERATION_SECONDS:-1}
COUNT4K=${BENCH_COUNT4K:-16384}
STEP4K=$((7919 * 4096))
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar=${BENCH_JAR:-"$root/benchmarks/target/benchmarks.jar"}

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
for t in qemu-img java python3; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install qemu-utils)"
done
[ -f "$jar" ] || die "run 'mvn -B -DskipTests package' first ($jar is missing)"

work=${BENCH_DIR:-$(mktemp -d /tmp/lunport-jmh.XXXXXX)}
mkdir -p "$work"
cleanup() { [ -n "${BENCH_DIR:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

make_images "$work" "$SIZE_MIB" "$FORMATS"
[ -n "${BENCH_DIR:-}" ] || rm -f "$work/source-$SIZE_MIB.raw"

lunport_jmh() { # IMAGE -> "seq1M_MiB/s rand4K_MiB/s seq1M_MiB/cpu-s rand4K_MiB/cpu-s"
  local csv="$work/jmh.csv"
  rm -f "$csv"
  # shellcheck disable=SC2086
  java -jar "$jar" 'io.lunport.benchmarks.DecodeBenchmark' -p image="$1" -f 1 -t "$THREADS" \
    -wi "$WARMUPS" -w "${ITER_SECS}s" -i "$ITERATIONS" -r "${ITER_SECS}s" \
    ${LUNPORT_JAVA_OPTS:+-jvmArgsAppend "$LUNPORT_JAVA_OPTS"} -rf csv -rff "$csv" > "$work/jmh.log" 2>&1 \
    || { tail -20 "$work/jmh.log" >&2; echo "0 0 0 0"; return; }
  # Score: reads/s. The cpuNanos rows: CPU ns of all benchmark threads, summed over the
  # measured iterations (JMH sums EVENTS counters), so over ITERATIONS * ITER_SECS seconds.
  awk -F, -v secs="$((ITERATIONS * ITER_SECS))" '{gsub(/"/, "", $1)} $1 ~ /sequential1M$/ {s = $5} $1 ~ /random4K$/ {r = $5 / 256}
    $1 ~ /sequential1M:cpuNanos$/ {sc = $5} $1 ~ /random4K:cpuNanos$/ {rc = $5}
    END {printf "%.1f %.1f %.1f %.1f\n", s, r, (sc > 0 ? s * secs * 1e9 / sc : 0), (rc > 0 ? r * secs * 1e9 / rc : 0)}' "$csv"
}
qemu_bench() { # FMT IMAGE COUNT SIZE_BYTES [STEP] -> "MiB/s MiB/cpu-s"
  local out TIMEFORMAT='cpu %U %S'  # bash's time: user and system seconds of qemu-img
  out=$( { time qemu-img bench -f "$1" -t writeback -d 8 -c "$3" -s "$4" ${5:+-S "$5"} "$2"; } 2>&1) \
    || { echo "$out" | tail -3 >&2; echo "0 0"; return; }
  echo "$out" | awk -v n="$3" -v b="$4" '/Run completed in/ {t = $4} /^cpu / {c = $2 + $3}
    END {m = n * b / 1048576; printf "%.1f %.1f\n", m / t, (c > 0 ? m / c : 0)}'
}

declare -A res
for f in $FORMATS; do cat "$work/$f.img" > /dev/null; done  # page cache warm
for r in $(seq "$ROUNDS"); do
  for f in $FORMATS; do
    img="$work/$f.img"
    read -r lseq lrand lseqc lrandc <<<"$(lunport_jmh "$img")"
    read -r qseq qseqc <<<"$(qemu_bench "$(qfmt "$f")" "$img" $((2 * SIZE_MIB)) 1048576)"
    read -r qrand qrandc <<<"$(qemu_bench "$(qfmt "$f")" "$img" "$COUNT4K" 4096 "$STEP4K")"
    for k in lseq lrand lseqc lrandc qseq qrand qseqc qrandc; do res[$f,$k,$r]=${!k}; done
    echo "bench: round $r $f: lunport 1M $lseq MiB/s ($lseqc per CPU-s), 4K $lrand MiB/s ($lrandc);" \
      "qemu 1M $qseq MiB/s ($qseqc), 4K $qrand MiB/s ($qrandc)" >&2
  done
done

med() { for r in $(seq "$ROUNDS"); do echo -n "${res[$1,$2,$r]} "; done | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > 0 ? sprintf("%.2f", a / b) : "n/a")}'; }
echo
echo "Decode throughput through the BlockSource (JMH, $THREADS threads) vs qemu-img bench (-t writeback -d 8),"
echo "${SIZE_MIB} MiB images of random/text/empty 64 KiB runs, page cache warm, median of $ROUNDS rounds, MiB/s."
echo "1M: sequential 1 MiB reads; 4K: scattered 4 KiB reads (lunport random, qemu a prime step)."
echo "cpu: ratio of MiB decoded per CPU-second (lunport: its benchmark threads; qemu: user+sys of the process)."
echo "Ratio > 1: lunport faster / cheaper."
printf '%-14s %8s %8s %6s %6s %8s %8s %6s %6s\n' format lp-1M qemu-1M ratio cpu lp-4K qemu-4K ratio cpu
for f in $FORMATS; do
  printf '%-14s %8.0f %8.0f %6s %6s %8.1f %8.1f %6s %6s\n' "$f" \
    "$(med "$f" lseq)" "$(med "$f" qseq)" "$(ratio "$(med "$f" lseq)" "$(med "$f" qseq)")" \
    "$(ratio "$(med "$f" lseqc)" "$(med "$f" qseqc)")" \
    "$(med "$f" lrand)" "$(med "$f" qrand)" "$(ratio "$(med "$f" lrand)" "$(med "$f" qrand)")" \
    "$(ratio "$(med "$f" lrandc)" "$(med "$f" qrandc)")"
done

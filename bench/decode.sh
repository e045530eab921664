#!/usr/bin/env bash
# Decode speed of lunport's qcow2 reader against qemu's on the same images, alternating
# qemu, lunport, qemu, lunport ... so drift of the machine hits both alike. Prints the median
# wall and CPU seconds of the rounds for each image and read size, and the ratio lunport/qemu.
#
#   bench/decode.sh         # from the repository root, after `mvn -B -DskipTests test-compile -pl translation`
#
# Images (made once per run from /dev/urandom, BENCH_SIZE_MIB each): plain.qcow2 (random
# data, nothing compressible), zlib.qcow2 and zstd.qcow2 (base64 text, compressed by
# `qemu-img convert -c`). qemu is measured with `qemu-img bench -d 1` (sequential reads
# through the page cache), lunport with DecodeBench (the same reads, one thread, into direct
# buffers; its second pass is timed). CPU seconds are the fairer number on a busy machine.
#
# Environment: BENCH_SIZE_MIB (default 1024), BENCH_ROUNDS (default 3), BENCH_READS
# ("1M 4k" by default), BENCH_DIR (scratch dir; default a fresh one under /tmp, removed at the end).
set -euo pipefail

SIZE_MIB=${BENCH_SIZE_MIB:-1024}
ROUNDS=${BENCH_ROUNDS:-3}
READS=${BENCH_READS:-"1M 4k"}
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

die() { echo "bench: $*" >&2; exit 1; }
for t in qemu-img java mvn python3; do command -v "$t" >/dev/null || die "$t is missing"; done
[ -d "$root/translation/target/test-classes/io/lunport/translation/qcow2" ] \
  || die "run 'mvn -B -DskipTests test-compile -pl translation' first"

work=${BENCH_DIR:-$(mktemp -d /tmp/lunport-decode.XXXXXX)}
mkdir -p "$work"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT

(cd "$root" && mvn -B -q -o dependency:build-classpath -pl translation -Dmdep.outputFile="$work/cp.txt" >/dev/null 2>&1) \
  || (cd "$root" && mvn -B -q dependency:build-classpath -pl translation -Dmdep.outputFile="$work/cp.txt" >/dev/null 2>&1)
cp="$root/translation/target/classes:$root/translation/target/test-classes:$(cat "$work/cp.txt")"

if [ ! -f "$work/zstd.qcow2" ]; then
  echo "bench: making ${SIZE_MIB} MiB images in $work" >&2
  head -c "${SIZE_MIB}M" /dev/urandom > "$work/rand.raw"
  set +o pipefail # base64 gets SIGPIPE when head has taken enough
  head -c "$((SIZE_MIB * 3 / 4 + 1))M" /dev/urandom | base64 -w0 | head -c "${SIZE_MIB}M" > "$work/text.raw"
  set -o pipefail
  qemu-img convert -O qcow2 "$work/rand.raw" "$work/plain.qcow2"
  qemu-img convert -c -O qcow2 -o compression_type=zlib "$work/text.raw" "$work/zlib.qcow2"
  qemu-img convert -c -O qcow2 -o compression_type=zstd "$work/text.raw" "$work/zstd.qcow2"
  rm -f "$work/rand.raw" "$work/text.raw"
fi

bytes() { case "$1" in *k) echo $(( ${1%k} * 1024 ));; *M) echo $(( ${1%M} * 1048576 ));; *) echo "$1";; esac; }

median() { python3 -c 'import sys,statistics; print("%.3f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

printf '%-6s %-5s %10s %10s %10s %10s %8s %8s\n' image read qemu_wall java_wall qemu_cpu java_cpu wall_x cpu_x
for read in $READS; do
  size=$(bytes "$read")
  count=$(( SIZE_MIB * 1048576 / size ))
  for img in plain zlib zstd; do
    qw=(); qc=(); jw=(); jc=()
    for _ in $(seq "$ROUNDS"); do
      out=$( { /usr/bin/time -f 'TIME %e %U %S' qemu-img bench -f qcow2 -c "$count" -s "$size" -d 1 "$work/$img.qcow2" >/dev/null; } 2>&1 | grep '^TIME')
      read -r _ w u s <<<"$out"
      qw+=("$w"); qc+=("$(python3 -c "print($u+$s)")")
      out=$(java -cp "$cp" io.lunport.translation.qcow2.DecodeBench "$work/$img.qcow2" "$size" 1 "$count")
      jw+=("$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$out")")
      jc+=("$(sed -E 's/.*cpu=([0-9.]+).*/\1/' <<<"$out")")
    done
    mqw=$(median "${qw[@]}"); mjw=$(median "${jw[@]}"); mqc=$(median "${qc[@]}"); mjc=$(median "${jc[@]}")
    printf '%-6s %-5s %10s %10s %10s %10s %8s %8s\n' "$img" "$read" "$mqw" "$mjw" "$mqc" "$mjc" \
      "$(python3 -c "print('%.2f' % ($mjw/$mqw))")" "$(python3 -c "print('%.2f' % ($mjc/max($mqc,0.001)))")"
  done
done

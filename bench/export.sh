#!/usr/bin/env bash
# Export throughput: `bin/lunport export --format vhdx` against `qemu-img convert -O vhdx` of
# the same source in the same run, alternating which goes first, median of the rounds.
#
#   bench/export.sh        # from the repository root, after `mvn -B -DskipTests package`
#
# Source: BENCH_SIZE_MIB (default 3072) of seeded content with holes. Per 32 MiB (one VHDX
# block): a quarter of them are empty (holes); the others are 64 KiB runs, each random (45%),
# text-like (30%) or a hole (25%). Two sources are exported: that raw file, and a deflate-
# compressed qcow2 made from it (`qemu-img convert -c -O qcow2 -o compression_type=zlib`).
# Both tools write a new file on the same file system; the page cache holds the source (read
# once before the runs); each run starts with no output file, after `sync` and a pause of
# BENCH_SETTLE seconds (the device finishes what the run before left it: on a virtual machine
# the host may still be writing), and ends with `sync OUT`, so both are timed until their output is on disk (lunport forces the file itself; the sync makes
# qemu-img's bytes durable whatever its cache mode does on close). MiB/s = virtual disk size /
# wall time, the same numerator for both; ratio = lunport MiB/s / qemu MiB/s (> 1: faster).
#
# What each writes differs, and the ratio includes it: lunport's VHDX is fully allocated
# (Windows refuses sparse VHDX files), qemu's is sparse (it leaves the zero runs inside a
# stored block as holes). Both store the same blocks and both outputs are checked against the
# source with `qemu-img compare` in the first round.
#
# Environment: BENCH_ROUNDS (default 4: even, so each tool goes first equally often), BENCH_SETTLE (default 5), BENCH_SIZE_MIB (default 3072), BENCH_DIR (scratch
# dir, kept and reused; default a fresh one under /var/tmp, removed at the end: it needs about
# 3 x BENCH_SIZE_MIB of disk), LUNPORT_JAVA_OPTS, LUNPORT_JAR (another build of the jar; bin/lunport
# runs it as it runs its own, and records its class-data archive next to it before the rounds).
# With the defaults a run takes 5-10 minutes.
set -euo pipefail

ROUNDS=${BENCH_ROUNDS:-4}
SETTLE=${BENCH_SETTLE:-5}
SIZE_MIB=${BENCH_SIZE_MIB:-3072}
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar=${LUNPORT_JAR:-"$root/target-server/target/lunport.jar"}

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
for t in qemu-img java python3; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install qemu-utils)"
done
[ -f "$jar" ] || die "run 'mvn -B -DskipTests package' first"
[ $((SIZE_MIB % 32)) -eq 0 ] || die "BENCH_SIZE_MIB must be a multiple of 32"

work=${BENCH_DIR:-$(mktemp -d /var/tmp/lunport-export.XXXXXX)}
mkdir -p "$work"
cleanup() {
  set +e
  rm -f "$work"/out-*.vhdx
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- sources -----------------------------------------------------------------------------
raw="$work/source-$SIZE_MIB.raw"
qcow2="$work/source-$SIZE_MIB-deflate.qcow2"
if [ ! -f "$raw" ]; then
  echo "bench: writing the ${SIZE_MIB} MiB source (empty blocks; random, text-like and hole 64 KiB runs)" >&2
  python3 - "$raw.tmp" "$SIZE_MIB" <<'PY'
import random, sys
path, mib = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261127)
RUN, BLOCK = 65536, 32 << 20
words = ["".join(rng.choice("etaoinshrdlu") for _ in range(rng.randint(2, 9))) for _ in range(2000)]
texts = [" ".join(rng.choice(words) for _ in range(RUN // 4)).encode()[:RUN] for _ in range(64)]
with open(path, "wb") as f:
    f.truncate(mib << 20)
    for block in range(0, mib << 20, BLOCK):
        if rng.random() < 0.25:
            continue  # a whole empty block
        for at in range(block, block + BLOCK, RUN):
            kind = rng.random()
            if kind < 0.25:
                continue  # a hole
            f.seek(at)
            f.write(rng.randbytes(RUN) if kind < 0.70 else texts[rng.randrange(len(texts))])
PY
  mv "$raw.tmp" "$raw"
fi
if [ ! -f "$qcow2" ]; then
  echo "bench: qemu-img convert -c -O qcow2 -o compression_type=zlib (takes a while)" >&2
  qemu-img convert -f raw -c -O qcow2 -o compression_type=zlib "$raw" "$qcow2.tmp"
  mv "$qcow2.tmp" "$qcow2"
fi

# --- the runs ----------------------------------------------------------------------------
now() { date +%s%N; }
settle() { sync; sleep "$SETTLE"; }
run_lunport() { # SOURCE OUT -> seconds
  local t0 t1
  settle
  t0=$(now)
  LUNPORT_JAR="$jar" "$root/bin/lunport" export "$1" -o "$2" --format vhdx >"$work/lunport.log" 2>&1 \
    || { cat "$work/lunport.log" >&2; die "lunport export failed"; }
  sync "$2"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e9}'
}
run_qemu() { # SOURCE OUT FMT -> seconds
  local t0 t1
  settle
  t0=$(now)
  qemu-img convert -f "$3" -O vhdx "$1" "$2"
  sync "$2"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e9}'
}
allocated_mib() { echo $(( $(stat -c '%b * %B' "$1") / 1048576 )); }

declare -A res
names=(raw qcow2-deflate)
declare -A src=([raw]=$raw [qcow2-deflate]=$qcow2)
declare -A fmt=([raw]=raw [qcow2-deflate]=qcow2)
for n in "${names[@]}"; do cat "${src[$n]}" >/dev/null; done  # page cache warm
LUNPORT_JAR="$jar" "$root/bin/lunport" version >/dev/null  # its class-data archive, outside the timing
for r in $(seq "$ROUNDS"); do
  for n in "${names[@]}"; do
    lout="$work/out-lunport.vhdx"; qout="$work/out-qemu.vhdx"
    rm -f "$lout" "$qout"
    if [ $((r % 2)) -eq 1 ]; then
      l=$(run_lunport "${src[$n]}" "$lout"); q=$(run_qemu "${src[$n]}" "$qout" "${fmt[$n]}")
    else
      q=$(run_qemu "${src[$n]}" "$qout" "${fmt[$n]}"); l=$(run_lunport "${src[$n]}" "$lout")
    fi
    res[$n,l,$r]=$l; res[$n,q,$r]=$q
    res[$n,lsize]=$(( $(stat -c %s "$lout") / 1048576 )); res[$n,lalloc]=$(allocated_mib "$lout")
    res[$n,qsize]=$(( $(stat -c %s "$qout") / 1048576 )); res[$n,qalloc]=$(allocated_mib "$qout")
    if [ "$r" -eq 1 ]; then
      qemu-img compare -q -f vhdx -F "${fmt[$n]}" "$lout" "${src[$n]}" || die "lunport's VHDX of $n differs from the source"
      qemu-img compare -q -f vhdx -F "${fmt[$n]}" "$qout" "${src[$n]}" || die "qemu's VHDX of $n differs from the source"
    fi
    echo "bench: round $r $n: lunport $l s, qemu-img $q s" >&2
  done
done
rm -f "$work"/out-*.vhdx

med() { for r in $(seq "$ROUNDS"); do echo -n "${res[$1,$2,$r]} "; done | median; }
echo
echo "Export to VHDX, ${SIZE_MIB} MiB virtual disk (a quarter of the 32 MiB blocks empty, the rest 64 KiB"
echo "runs: random, text, holes), source in page cache, output synced; median of $ROUNDS rounds, alternating."
echo "MiB/s = virtual size / wall time. Ratio > 1: lunport faster. Output MiB: length / allocated on disk."
printf '%-14s %12s %12s %6s %16s %16s\n' source lunport-MiB/s qemu-MiB/s ratio lunport-out-MiB qemu-out-MiB
for n in "${names[@]}"; do
  awk -v n="$n" -v s="$SIZE_MIB" -v l="$(med "$n" l)" -v q="$(med "$n" q)" \
      -v lo="${res[$n,lsize]}/${res[$n,lalloc]}" -v qo="${res[$n,qsize]}/${res[$n,qalloc]}" 'BEGIN {
    printf "%-14s %12.0f %12.0f %6.2f %16s %16s\n", n, s / l, s / q, q / l, lo, qo }'
done

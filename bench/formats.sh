#!/usr/bin/env bash
# Decode throughput of every image format: lunport's BlockSource against qemu-img on the same
# images in the same run, and end to end over iSCSI. One table, medians of the rounds.
#
#   bench/formats.sh        # from the repository root, after `mvn -B -DskipTests package`
#
# Source: BENCH_SIZE_MIB (default 512) of 64 KiB runs, each random, text-like or empty (a third
# each, seeded, so every run builds the same bytes). `qemu-img convert` makes from it:
# qcow2, qcow2 deflate (-c), qcow2 zstd (-c), VMDK monolithicSparse, VMDK streamOptimized,
# VDI, VHD (vpc, force_size=on) and VHDX. Then, round by round and format by format:
#   lunport  DecodeBench (translation test sources): the BlockSource, 8 threads, into direct
#            buffers; 1 MiB sequential over the whole disk, 4 KiB sequential over its first
#            32768 blocks (what qemu-img bench reads), 4 KiB random over the whole disk.
#   qemu     qemu-img bench -f FMT -t writeback -d 8 -c SIZE_MIB -s 1M, and -c 32768 -s 4k.
#            qemu-img bench has no random pattern (only a fixed step, -S), so its 4 KiB number
#            is sequential and is compared with lunport's sequential 4 KiB.
#   iSCSI    lunport serve --read-only with every image as a LUN; iscsi-perf -b 2048 -m 8 -t
#            BENCH_SECONDS (1 MiB sequential reads, 8 in flight) on loopback.
# Page cache warm: the images are read before they are timed.
#
# Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS (iscsi-perf run time, default 3),
# BENCH_SIZE_MIB (default 512), BENCH_FORMATS (a subset of the names below, space separated),
# BENCH_DIR (scratch dir, kept and reused; default a fresh one under /tmp, removed at the end),
# LUNPORT_JAVA_OPTS (for the server and DecodeBench). With the defaults a run takes 3-5 minutes.
set -euo pipefail

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-3}
SIZE_MIB=${BENCH_SIZE_MIB:-512}
FORMATS=${BENCH_FORMATS:-"qcow2 qcow2-deflate qcow2-zstd vmdk-sparse vmdk-stream vdi vhd vhdx"}
COUNT4K=32768
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$root/target-server/target/lunport.jar"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
for t in qemu-img iscsi-perf java mvn python3; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install qemu-utils libiscsi-bin)"
done
[ -f "$jar" ] && [ -f "$root/translation/target/test-classes/io/lunport/translation/DecodeBench.class" ] \
  || die "run 'mvn -B -DskipTests package' first"
[ "$SIZE_MIB" -ge 128 ] || die "BENCH_SIZE_MIB must be at least 128 (the 4 KiB runs read 128 MiB)"

work=${BENCH_DIR:-$(mktemp -d /tmp/lunport-formats.XXXXXX)}
mkdir -p "$work"
lunport_pid=""
cleanup() {
  set +e
  stop_process "$lunport_pid"
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- classpath ---------------------------------------------------------------------------
(cd "$root" && mvn -B -q -o dependency:build-classpath -pl translation -Dmdep.outputFile="$work/cp.txt" >/dev/null 2>&1) \
  || (cd "$root" && mvn -B -q dependency:build-classpath -pl translation -Dmdep.outputFile="$work/cp.txt" >/dev/null 2>&1) \
  || die "mvn dependency:build-classpath failed"
cp="$root/translation/target/classes:$root/translation/target/test-classes:$(cat "$work/cp.txt")"

# --- images ------------------------------------------------------------------------------
make_images "$work" "$SIZE_MIB" "$FORMATS"
[ -n "${BENCH_DIR:-}" ] || rm -f "$work/source-$SIZE_MIB.raw"

# --- the iSCSI target --------------------------------------------------------------------
port=$(free_port)
luns=()
for f in $FORMATS; do luns+=(--lun "$f=$work/$f.img"); done
# shellcheck disable=SC2086
java ${LUNPORT_JAVA_OPTS:-} -jar "$jar" serve --read-only --listen "127.0.0.1:$port" \
  --state-dir "$work/state" "${luns[@]}" > "$work/lunport.log" 2>&1 &
lunport_pid=$!
for _ in $(seq 150); do
  grep -q '^lunport: serving' "$work/lunport.log" && break
  kill -0 "$lunport_pid" 2>/dev/null || { cat "$work/lunport.log" >&2; die "lunport exited"; }
  sleep 0.2
done
grep -q '^lunport: serving' "$work/lunport.log" || { cat "$work/lunport.log" >&2; die "lunport did not start"; }

# --- the runs ----------------------------------------------------------------------------
lunport_decode() { # IMAGE -> "seq1M_MiB/s seq4k_IOPS rand4k_IOPS"
  local out
  # shellcheck disable=SC2086
  out=$(java ${LUNPORT_JAVA_OPTS:-} -cp "$cp" io.lunport.translation.DecodeBench "$1" \
    "1048576:8:$SIZE_MIB" "4096:8:$COUNT4K" "4096:8:$COUNT4K:random") || { echo "0 0 0"; return; }
  echo "$out" | awk '{for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    r[NR] = (NR == 1 ? v["MiB/s"] : v["iops"]) } END {print r[1], r[2], r[3]}'
}
qemu_bench() { # FMT IMAGE COUNT SIZE -> IOPS
  local out
  out=$(qemu-img bench -f "$1" -t writeback -d 8 -c "$3" -s "$4" "$2" 2>&1) || { echo "$out" | tail -3 >&2; echo 0; return; }
  echo "$out" | awk -v n="$3" '/Run completed in/ {printf "%.1f\n", n / $4}'
}
iscsi_read() { # NAME -> MiB/s (1 MiB requests: IOPS = MiB/s)
  local out
  out=$(timeout $((SECS + 30)) iscsi-perf -b 2048 -m 8 -t "$SECS" \
    "iscsi://127.0.0.1:$port/iqn.2026-11.io.lunport:$1/0" 2>&1 | tr '\r' '\n') || { echo "$out" | tail -3 >&2; echo 0; return; }
  echo "$out" | grep -o 'iops average [0-9]*' | tail -1 | awk '{print $3}'
}

declare -A res
for f in $FORMATS; do cat "$work/$f.img" > /dev/null; done  # page cache warm
for r in $(seq "$ROUNDS"); do
  for f in $FORMATS; do
    img="$work/$f.img"
    read -r lseq l4k lrand <<<"$(lunport_decode "$img")"
    qseq=$(qemu_bench "$(qfmt "$f")" "$img" "$SIZE_MIB" 1M)
    q4k=$(qemu_bench "$(qfmt "$f")" "$img" "$COUNT4K" 4k)
    isc=$(iscsi_read "$f")
    res[$f,lseq,$r]=$lseq; res[$f,l4k,$r]=$l4k; res[$f,lrand,$r]=$lrand
    res[$f,qseq,$r]=$qseq; res[$f,q4k,$r]=$q4k; res[$f,isc,$r]=${isc:-0}
    echo "bench: round $r $f: lunport $lseq MiB/s, 4k $l4k / rand $lrand IOPS; qemu $qseq MiB/s, 4k $q4k IOPS; iSCSI ${isc:-0} MiB/s" >&2
  done
done
kill -0 "$lunport_pid" 2>/dev/null || { tail -20 "$work/lunport.log" >&2; die "lunport died during the benchmark"; }

med() { for r in $(seq "$ROUNDS"); do echo -n "${res[$1,$2,$r]} "; done | median; }

echo
echo "Decode throughput, ${SIZE_MIB} MiB image (random/text/empty 64 KiB runs), page cache warm, median of $ROUNDS rounds"
echo "lunport: BlockSource, 8 threads; qemu: qemu-img bench -t writeback -d 8; 4k = $COUNT4K sequential 4 KiB reads for both"
echo "(qemu-img bench cannot read at random); iSCSI: lunport serve + iscsi-perf -b 2048 -m 8 -t $SECS. Ratio > 1: lunport faster."
printf '%-14s %10s %10s %6s %10s %10s %6s %11s %10s\n' format lp-1M-MiB/s qemu-MiB/s ratio lp-4k-IOPS qemu-4k ratio lp-rand4k iSCSI-MiB/s
for f in $FORMATS; do
  awk -v f="$f" -v ls="$(med "$f" lseq)" -v qs="$(med "$f" qseq)" -v l4="$(med "$f" l4k)" -v q4="$(med "$f" q4k)" \
      -v lr="$(med "$f" lrand)" -v is="$(med "$f" isc)" 'BEGIN {
    printf "%-14s %10.0f %10.0f %6s %10.0f %10.0f %6s %11.0f %10.0f\n", f, ls, qs,
      (qs > 0 ? sprintf("%.2f", ls/qs) : "n/a"), l4, q4, (q4 > 0 ? sprintf("%.2f", l4/q4) : "n/a"), lr, is }'
done

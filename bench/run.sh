#!/usr/bin/env bash
# Benchmark lunport against tgt on the same 1 GiB raw file over loopback, with the same
# initiators, alternating targets round by round, and print the ratio lunport/tgt.
#
#   bench/run.sh            # from the repository root, as root, after `mvn -B package`
#
# Environment: BENCH_SECONDS (per run, default 10), BENCH_ROUNDS (default 3; the median of
# the rounds is reported), BENCH_SIZE_MIB (default 1024), BENCH_DIR (scratch dir; default a
# fresh one under /tmp, removed at the end).
set -euo pipefail

SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$root/target-server/target/lunport.jar"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
[ -f "$jar" ] || die "no $jar: run 'mvn -B -DskipTests package' first"
[ "$(id -u)" -eq 0 ] || die "tgtd needs root"
for t in tgtd tgtadm iscsi-perf qemu-img java; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install tgt libiscsi-bin qemu-utils qemu-block-extra)"
done

work=${BENCH_DIR:-$(mktemp -d /tmp/lunport-bench.XXXXXX)}
mkdir -p "$work"
lunport_pid=""
tgtd_pid=""
tgt_ctl=""

cleanup() {
  set +e
  stop_process "$lunport_pid"
  if [ -n "$tgtd_pid" ] && kill -0 "$tgtd_pid" 2>/dev/null; then
    tgtadm -C "$tgt_ctl" --lld iscsi --op delete --force --mode target --tid 1 >/dev/null 2>&1
    tgtadm -C "$tgt_ctl" --op delete --mode system >/dev/null 2>&1
    for _ in $(seq 50); do kill -0 "$tgtd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$tgtd_pid" 2>/dev/null
    wait "$tgtd_pid" 2>/dev/null
    rm -f "/var/run/tgtd/socket.$tgt_ctl" "/var/run/tgtd/socket.$tgt_ctl.lock"
  fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


image="$work/bench.raw"
echo "bench: writing ${SIZE_MIB} MiB of random data to $image" >&2
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$image"

# --- tgt -------------------------------------------------------------------------------
tgt_port=$(free_port)
# A control port no running tgtd answers on (tgtd leaves socket files behind when it exits).
for c in $(seq 100 999); do tgtadm -C "$c" --op show --mode system >/dev/null 2>&1 || { tgt_ctl=$c; break; }; done
[ -n "$tgt_ctl" ] || die "no free tgtd control port"
tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" > "$work/tgtd.log" 2>&1 &
tgtd_pid=$!
for _ in $(seq 50); do tgtadm -C "$tgt_ctl" --op show --mode system >/dev/null 2>&1 && break; sleep 0.2; done
tgt_iqn=iqn.2026-11.io.lunport.bench:tgt
tgtadm -C "$tgt_ctl" --lld iscsi --op new --mode target --tid 1 -T "$tgt_iqn"
tgtadm -C "$tgt_ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$image"
tgtadm -C "$tgt_ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL
tgt_url="iscsi://127.0.0.1:$tgt_port/$tgt_iqn/1"

# --- lunport ---------------------------------------------------------------------------
lp_port=$(free_port)
java ${LUNPORT_JAVA_OPTS:-} -jar "$jar" serve --listen "127.0.0.1:$lp_port" --state-dir "$work/state" \
  --lun "bench=$image" --direct > "$work/lunport.log" 2>&1 &
lunport_pid=$!
for _ in $(seq 150); do
  grep -q '^lunport: serving' "$work/lunport.log" && break
  kill -0 "$lunport_pid" 2>/dev/null || { cat "$work/lunport.log" >&2; die "lunport exited"; }
  sleep 0.2
done
grep -q '^lunport: serving' "$work/lunport.log" || { cat "$work/lunport.log" >&2; die "lunport did not start"; }
lp_url="iscsi://127.0.0.1:$lp_port/iqn.2026-11.io.lunport:bench/0"

# --- the runs --------------------------------------------------------------------------
# Each prints IOPS (an integer or decimal) on stdout.
perf() { # perf URL BLOCKS DEPTH [-r]
  local out
  out=$(timeout $((SECS + 30)) iscsi-perf -b "$2" -m "$3" ${4:-} -t "$SECS" "$1" 2>&1 | tr '\r' '\n') \
    || { echo "$out" | tail -5 >&2; echo 0; return; }
  echo "$out" | grep -o 'iops average [0-9]*' | tail -1 | awk '{print $3}'
}
bench_writes() { # bench_writes URL COUNT
  local out
  out=$(timeout $((SECS * 6 + 30)) qemu-img bench -w -t none -c "$2" -d 32 -s 4k -f raw "$1" 2>&1) \
    || { echo "$out" | tail -5 >&2; echo 0; return; }
  echo "$out" | awk -v n="$2" '/Run completed in/ {printf "%.0f\n", n / $4}'
}

# Size the write run for about SECS seconds on tgt (capped at one pass over the file).
calib=$(bench_writes "$tgt_url" 20000)
[ "${calib:-0}" -gt 0 ] || die "qemu-img bench calibration against tgt failed"
wcount=$((calib * SECS))
max=$((SIZE_MIB * 256))
[ "$wcount" -le "$max" ] || wcount=$max

declare -A res
tests=(rand4k-qd32 seq1m-qd8 write4k-qd32)
declare -A bsize=([rand4k-qd32]=4096 [seq1m-qd8]=1048576 [write4k-qd32]=4096)
for r in $(seq "$ROUNDS"); do
  for target in lunport tgt; do
    if [ "$target" = lunport ]; then url=$lp_url; else url=$tgt_url; fi
    res[$target,rand4k-qd32,$r]=$(perf "$url" 8 32 -r)
    res[$target,seq1m-qd8,$r]=$(perf "$url" 2048 8)
    res[$target,write4k-qd32,$r]=$(bench_writes "$url" "$wcount")
    echo "bench: round $r $target: rand4k ${res[$target,rand4k-qd32,$r]} seq1m ${res[$target,seq1m-qd8,$r]} write4k ${res[$target,write4k-qd32,$r]} IOPS" >&2
  done
done
kill -0 "$lunport_pid" 2>/dev/null || { tail -20 "$work/lunport.log" >&2; die "lunport died during the benchmark"; }

echo
echo "lunport vs tgt, same ${SIZE_MIB} MiB file on loopback, median of $ROUNDS rounds of ${SECS}s"
echo "(iscsi-perf for reads; qemu-img bench -w -t none -d 32 -s 4k -c $wcount for writes)"
printf '%-14s %12s %10s %12s %10s %8s\n' test lunport-IOPS MiB/s tgt-IOPS MiB/s ratio
for t in "${tests[@]}"; do
  l=$(for r in $(seq "$ROUNDS"); do echo -n "${res[lunport,$t,$r]} "; done | median)
  g=$(for r in $(seq "$ROUNDS"); do echo -n "${res[tgt,$t,$r]} "; done | median)
  awk -v t="$t" -v l="$l" -v g="$g" -v b="${bsize[$t]}" 'BEGIN {
    printf "%-14s %12.0f %10.1f %12.0f %10.1f %8s\n", t, l, l*b/1048576, g, g*b/1048576,
      (g > 0 ? sprintf("%.2f", l/g) : "n/a") }'
done

# Shared by the benchmark scripts (sourced, not run): failing, finding a free loopback port,
# stopping a process they started, and the median of the rounds.

die() { echo "bench: $*" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free TCP port on 127.0.0.1, picked at random from 20000-59999.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    port_free "$p" && { echo "$p"; return; }
  done
  die "no free port"
}

# SIGTERM, up to 10 s to exit, then SIGKILL; reaps the process. No-op for an empty or dead PID.
stop_process() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# The images both benchmark scripts read. Names (BENCH_FORMATS) map to qemu-img's format
# names and to the qemu-img convert options that make them.
qfmt() { case "$1" in qcow2*) echo qcow2;; vmdk*) echo vmdk;; vhd) echo vpc;; *) echo "$1";; esac; }
convert_opts() {
  case "$1" in
    qcow2) echo "-O qcow2";;
    qcow2-deflate) echo "-c -O qcow2 -o compression_type=zlib";;
    qcow2-zstd) echo "-c -O qcow2 -o compression_type=zstd";;
    vmdk-sparse) echo "-O vmdk -o subformat=monolithicSparse";;
    vmdk-stream) echo "-O vmdk -o subformat=streamOptimized";;
    vdi) echo "-O vdi";;
    vhd) echo "-O vpc -o force_size=on";;
    vhdx) echo "-O vhdx";;
    *) die "unknown format $1";;
  esac
}

# make_images WORK SIZE_MIB "FORMAT...": WORK/source-SIZE_MIB.raw, SIZE_MIB MiB of 64 KiB runs,
# each random, text-like or empty (a third each, seeded, so every run builds the same bytes),
# and WORK/FORMAT.img made from it by qemu-img convert. Existing files are kept (BENCH_DIR reuse).
make_images() {
  local work=$1 mib=$2 formats=$3 f img
  local src="$work/source-$mib.raw"
  if [ ! -f "$src" ]; then
    echo "bench: writing the ${mib} MiB source (random, text-like and empty 64 KiB runs)" >&2
    python3 - "$src" "$mib" <<'PY'
import random, sys
path, mib = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261127)
RUN = 65536
syll = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "po", "an", "el", "is", "or", "um", "th", "st", "qu"]
words = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
def text_run():
    out, n = [], 0
    while n < RUN:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
        line = line.capitalize() + rng.choice([".", ",", ";", "?"]) + "\n"
        out.append(line); n += len(line)
    return "".join(out).encode()[:RUN]
texts = [text_run() for _ in range(256)]  # a pool: building 170 MiB of prose in Python is slow
zero = bytes(RUN)
with open(path, "wb") as f:
    for _ in range(mib * 1048576 // RUN):
        kind = rng.randrange(3)
        f.write(rng.randbytes(RUN) if kind == 0 else texts[rng.randrange(len(texts))] if kind == 1 else zero)
PY
  fi
  for f in $formats; do
    img="$work/$f.img"
    [ -f "$img" ] && continue
    echo "bench: qemu-img convert $(convert_opts "$f") -> $f" >&2
    # shellcheck disable=SC2046
    qemu-img convert -f raw $(convert_opts "$f") "$src" "$img.tmp"
    mv "$img.tmp" "$img"
  done
}

# The median of whitespace-separated numbers on stdin (0 for none).
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

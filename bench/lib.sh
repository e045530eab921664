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

# The median of the numbers on stdin (separated by spaces or newlines); 0 when there are none.
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

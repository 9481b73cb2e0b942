# pidns-init beside tini, catatonit and dumb-init, in one run.
#
# Timed pairs, as PID 1 of a new PID namespace: a storm of 3,000 orphans (children that fork a
# grandchild and exit; the program waits until every grandchild has exited, so the init reaps
# 3,000 zombies before the program's own exit), and a program that exits at once (start-up and
# teardown).
#
# Then a table of what each init costs while it runs and how it starts: RssAnon and threads of
# the running init, the PIDs its tree holds once the program (sleep) runs, the smallest pids.max
# (a v1 pids cgroup, or cgroup v2's) under which `sh -c 'sleep 0.2 & wait; echo ok'` prints ok,
# how many of 15 SIGTERMs sent 0.5 to 8 ms after the init's execve (as PID 1 of a new PID
# namespace, program `sleep 5`) end it with 143, and the SigBlk its program sees when the init
# is started with TERM, ILL and TTIN blocked (tini's sigconf test), then with every signal
# blocked ("=" where it is the mask the init inherited).
bench_pidns_init() {
  need tini catatonit dumb-init gcc
  local dir
  dir=$(mktemp -d /tmp/nsbox-bench-pidns-init.XXXXXX)
  on_exit "rm -rf '$dir'"
  gcc -O2 -o "$dir/helper" tools/pidnsinit/testdata/helper.c
  local storm=${PIDNS_INIT_RUNS:-5} ref
  for ref in "/usr/bin/tini --" "/usr/bin/catatonit --" "/usr/bin/dumb-init --"; do
    pair "pidns-init / ${ref%% *}: 3000 orphans" "$storm" \
      "unshare -fp $APPLETS/pidns-init -- $dir/helper orphans 3000" \
      "unshare -fp $ref $dir/helper orphans 3000"
  done
  for ref in "/usr/bin/tini --" "/usr/bin/catatonit --" "/usr/bin/dumb-init --"; do
    pair "pidns-init / ${ref%% *}: true" 100 \
      "unshare -fp $APPLETS/pidns-init -- true" \
      "unshare -fp $ref true"
  done
  pidns_init_table "$dir"
}

# pidns_init_table DIR: the running and start-up table (DIR holds the helper).
pidns_init_table() {
  local dir=$1 init
  printf '%-12s %8s %8s %5s %9s %10s %18s %18s\n' "init" "RssAnon" "Threads" "PIDs" "pids.max" "TERM->143" \
    "SigBlk TERM,ILL,TTIN" "SigBlk all"
  for init in "$APPLETS/pidns-init --" "/usr/bin/tini -s --" "/usr/bin/catatonit --" "/usr/bin/dumb-init --"; do
    local name rss threads pids max window blk1 blk2
    name=$(basename "${init%% *}")
    read -r rss threads pids < <(pidns_init_running "$init")
    max=$(pidns_init_pids_max "$init")
    window=$(pidns_init_window "$dir" "$init")
    blk1=$(pidns_init_sigblk "$dir" 104008 "$init")
    blk2=$(pidns_init_sigblk "$dir" ffffffffffffffff "$init")
    printf '%-12s %5s kB %8s %5s %9s %7s/15 %18s %18s\n' "$name" "$rss" "$threads" "$pids" "$max" "$window" "$blk1" "$blk2"
  done
  echo
}

# pidns_init_running INIT: RssAnon (kB) and threads of INIT running sleep, and the PIDs its tree
# holds (itself and its descendants).
pidns_init_running() {
  local init=$1 pid kids i
  $init sleep 60 >/dev/null 2>&1 &
  pid=$!
  for ((i = 0; i < 500; i++)); do
    kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    [ -n "$kids" ] && [ "$(cat "/proc/${kids%% *}/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.01
  done
  local rss threads
  rss=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  echo "$rss $threads $((1 + $(pidns_init_descendants "$pid")))"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

pidns_init_descendants() {
  local n=0 c
  for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
    n=$((n + 1 + $(pidns_init_descendants "$c")))
  done
  echo "$n"
}

# pidns_init_pids_max INIT: the smallest pids.max from 3 to 10 under which three runs of the
# program print ok.
pidns_init_pids_max() {
  local init=$1 mount cg max i ok
  mount=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ {print $2; exit}' /proc/mounts)
  if [ -z "$mount" ]; then
    mount=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
    grep -qw pids "$mount/cgroup.subtree_control" 2>/dev/null || { echo "-"; return; }
  fi
  cg=$mount/nsbox-bench-$$
  mkdir "$cg" || { echo "-"; return; }
  for ((max = 3; max <= 10; max++)); do
    echo "$max" >"$cg/pids.max"
    ok=0
    for ((i = 0; i < 3; i++)); do
      [ "$(sh -c 'echo $$ > "$0"; exec "$@"' "$cg/cgroup.procs" $init sh -c 'sleep 0.2 & wait; echo ok' 2>/dev/null)" = ok ] && ok=$((ok + 1))
    done
    [ "$ok" = 3 ] && break
  done
  rmdir "$cg"
  [ "$max" -le 10 ] && echo "$max" || echo ">10"
}

# pidns_init_window DIR INIT: how many of 15 SIGTERMs, 3 at each of 0.5, 1, 2, 4 and 8 ms after
# INIT's execve as PID 1 of a new PID namespace, end it with 143.
pidns_init_window() {
  local dir=$1 init=$2 us i n=0
  for us in 500 1000 2000 4000 8000; do
    for ((i = 0; i < 3; i++)); do
      [ "$("$dir/helper" termafter "$us" $init sleep 5)" = 143 ] && n=$((n + 1))
    done
  done
  echo "$n"
}

# pidns_init_sigblk DIR MASK INIT: the SigBlk of INIT's program when INIT starts with MASK
# blocked ("=" when it is the program's own without an init).
pidns_init_sigblk() {
  local dir=$1 mask=$2 init=$3 direct got
  direct=$("$dir/helper" sigexec 0 "$mask" 0 awk '/^SigBlk:/ {print $2}' /proc/self/status)
  got=$("$dir/helper" sigexec 0 "$mask" 0 $init awk '/^SigBlk:/ {print $2}' /proc/self/status)
  [ "$got" = "$direct" ] && echo "= $got" || echo "$got"
}

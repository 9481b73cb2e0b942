# lsns on a crowded host: about 2,000 processes and 700 namespaces (300 net+uts, 40 pid+mount,
# 40 user of which 20 rootless, plus plain sleepers), beside util-linux's lsns.
bench_lsns() {
  local pids=/tmp/nsbox-bench-lsns.pids i
  : >"$pids"
  on_exit "xargs -r kill -9 <'$pids' 2>/dev/null; sleep 0.5; rm -f '$pids'"
  id nsboxtest >/dev/null 2>&1 || useradd --create-home --shell /bin/sh nsboxtest
  for ((i = 0; i < 300; i++)); do /usr/bin/unshare --net --uts sleep 3600 >/dev/null 2>&1 & echo $! >>"$pids"; done
  for ((i = 0; i < 40; i++)); do /usr/bin/unshare --pid --mount --fork --kill-child sleep 3600 >/dev/null 2>&1 & echo $! >>"$pids"; done
  for ((i = 0; i < 20; i++)); do /usr/bin/unshare --user sleep 3600 >/dev/null 2>&1 & echo $! >>"$pids"; done
  for ((i = 0; i < 20; i++)); do
    /usr/bin/setpriv --reuid=nsboxtest --regid=nsboxtest --clear-groups /usr/bin/unshare --user sleep 3600 >/dev/null 2>&1 &
    echo $! >>"$pids"
  done
  for ((i = 0; i < 1540; i++)); do sleep 3600 >/dev/null 2>&1 & echo $! >>"$pids"; done
  disown -a # no "Killed" line per process at teardown
  # Wait until every unshare has exec'd its sleep (the pid+mount ones fork theirs; --kill-child
  # takes those down with their unshare at teardown).
  local want=$((300 + 40 + 40 + 1540)) n
  for ((i = 0; i < 300; i++)); do
    n=$(pgrep -c -x sleep || true)
    [ "$n" -ge "$want" ] && break
    sleep 0.1
  done
  echo "lsns fixture: $(ls /proc | grep -c '^[0-9]') processes, $(/usr/bin/lsns -n -o NS | wc -l) namespaces" >&2
  # util-linux 2.38's lsns exits 1 now and then when processes come and go beside it, and
  # bench runs under set -e: both sides get the same `|| true`.
  pair "lsns / util-linux lsns" 15 "$APPLETS/lsns || true" "/usr/bin/lsns || true"
  pair "lsns -J -l / util-linux lsns -J -l" 15 "$APPLETS/lsns -J -l || true" "/usr/bin/lsns -J -l || true"
  pair "lsns -t net / util-linux lsns -t net" 15 "$APPLETS/lsns -t net || true" "/usr/bin/lsns -t net || true"
  # NSBOX_BASE=path/to/older/nsbox: this binary beside that one, to measure a change.
  if [ -n "${NSBOX_BASE:-}" ]; then
    local base=$APPLETS/base
    mkdir -p "$base" && ln -sf "$NSBOX_BASE" "$base/lsns"
    pair "lsns / NSBOX_BASE lsns" 15 "$APPLETS/lsns || true" "$base/lsns || true"
    pair "lsns -J -l / NSBOX_BASE lsns -J -l" 15 "$APPLETS/lsns -J -l || true" "$base/lsns -J -l || true"
    pair "lsns -t net / NSBOX_BASE lsns -t net" 15 "$APPLETS/lsns -t net || true" "$base/lsns -t net || true"
  fi
  # util-linux 2.42 (scripts/reference-util-linux), which nsbox's output follows.
  local newest=/opt/nsbox-ref/util-linux/bin/lsns
  if [ -x "$newest" ]; then
    pair "lsns / util-linux 2.42 lsns" 15 "$APPLETS/lsns || true" "$newest || true"
  fi
}

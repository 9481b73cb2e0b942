# nsenter --container=NAME beside nsenter -t PID (both nsbox, "ref" is -t PID) into a docker
# container, on a host with ~2,000 processes: what finding the container costs. The name is
# answered from docker's records; an ID prefix from the cgroup hierarchies' directories and the
# processes of the matching container's cgroups (where that cannot tell: a scan of every
# process's /proc/PID/cgroup). Brings the engines up with
# scripts/engines (and down again when it started them).
bench_container() {
  local docker=/usr/bin/docker started=0
  [ -d /run/nsbox-engines ] || started=1
  NSBOX_ENGINES_REUSE=1 NSBOX_BIN=$NSBOX_BIN scripts/engines up >/dev/null || return 1
  [ $started = 0 ] || on_exit "scripts/engines down"
  "$docker" run -d --network none --label nsbox-engines --name nsbox-e-bench nsbox-busybox:engines sleep 3600 >/dev/null
  on_exit "$docker rm -f nsbox-e-bench >/dev/null"
  local pid id
  pid=$("$docker" inspect -f '{{.State.Pid}}' nsbox-e-bench)
  id=$("$docker" inspect -f '{{.Id}}' nsbox-e-bench)
  # fill the host up to ~2,000 processes, in a session of their own that exit removes
  local have need
  have=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
  need=$((2000 - have))
  if [ $need -gt 0 ]; then
    setsid bash -c "for i in \$(seq $need); do sleep 3600 & done; wait" &
    local filler=$!
    on_exit "kill -- -$filler 2>/dev/null"
    while [ "$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)" -lt 1990 ]; do sleep 0.1; done
  fi
  pair "nsenter --container=NAME -a true (2k procs)" 50 \
    "$APPLETS/nsenter --container=nsbox-e-bench -a true" \
    "$APPLETS/nsenter -t $pid -a true"
  pair "nsenter --container=PREFIX -a true (cgroups)" 50 \
    "$APPLETS/nsenter --container=${id:0:12} -a true" \
    "$APPLETS/nsenter -t $pid -a true"
}

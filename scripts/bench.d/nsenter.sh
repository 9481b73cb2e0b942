# nsenter into a process's net, uts and ipc namespaces and run /bin/true, beside util-linux.
# The floor rows time gofloor and kongfloor (see scripts/bench): a Go program with no option
# parsing, and the same with a kong parse of only the options this command uses.
bench_nsenter() {
  /usr/bin/unshare --net --uts --ipc sleep 3600 &
  local target=$!
  on_exit "kill $target"
  # The target has exec'd sleep once its namespaces differ from ours.
  while [ "$(readlink /proc/$target/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
  pair "nsenter -t P -n -u -i /bin/true" 200 \
    "$APPLETS/nsenter -t $target -n -u -i /bin/true" \
    "/usr/bin/nsenter -t $target -n -u -i /bin/true"
  pair "  floor: Go runtime + setns(2) + exec" 200 \
    "$GOFLOOR nsenter $target /bin/true" \
    "/usr/bin/nsenter -t $target -n -u -i /bin/true"
  pair "  floor: + kong parse of -t P -n -u -i" 200 \
    "$KONGFLOOR nsenter -t $target -n -u -i /bin/true" \
    "/usr/bin/nsenter -t $target -n -u -i /bin/true"
}

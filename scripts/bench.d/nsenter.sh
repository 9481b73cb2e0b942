# nsenter into a process's net, uts and ipc namespaces and run /bin/true, beside util-linux.
# The floor row times gofloor (see scripts/bench), a Go program with no option parsing.
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
}

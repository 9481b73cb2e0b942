# unshare: new net, uts and ipc namespaces around /bin/true, beside util-linux's unshare.
bench_unshare() {
  pair "unshare -nui /bin/true" 300 "$APPLETS/unshare -nui /bin/true" "/usr/bin/unshare -nui /bin/true"
  pair "unshare -fp --mount-proc /bin/true" 100 "$APPLETS/unshare -fp --mount-proc /bin/true" "/usr/bin/unshare -fp --mount-proc /bin/true"
}

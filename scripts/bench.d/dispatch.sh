# The cost of nsbox's start-up alone: `--version` of an applet beside util-linux's.
bench_dispatch() {
  pair "nsbox --version / unshare --version" 200 "$NSBOX_BIN --version" "/usr/bin/unshare --version"
}

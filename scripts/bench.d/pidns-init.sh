# pidns-init beside tini as PID 1 of a new PID namespace: a storm of 3,000 orphans (children
# that fork a grandchild and exit; the program waits until every grandchild has exited, so the
# init reaps 3,000 zombies before the program's own exit), and a program that exits at once
# (start-up and teardown).
bench_pidns_init() {
  need tini gcc
  local dir
  dir=$(mktemp -d /tmp/nsbox-bench-pidns-init.XXXXXX)
  on_exit "rm -rf '$dir'"
  gcc -O2 -o "$dir/helper" tools/pidnsinit/testdata/helper.c
  pair "pidns-init / tini: 3000 orphans" "${PIDNS_INIT_RUNS:-5}" \
    "unshare -fp $APPLETS/pidns-init -- $dir/helper orphans 3000" \
    "unshare -fp /usr/bin/tini -- $dir/helper orphans 3000"
  pair "pidns-init / tini: true" 100 \
    "unshare -fp $APPLETS/pidns-init -- true" \
    "unshare -fp /usr/bin/tini -- true"
}

# unshare: new namespaces around /bin/true, beside util-linux's unshare. `-nui` runs in
# unshare's own process (nsutil's in-process engine); --trace (output discarded) forces the
# pre-runtime C stage, for comparing the two engines; -fp --mount-proc always needs the C stage.
# The floor rows time gofloor and kongfloor (see scripts/bench): a Go program with no option
# parsing, and the same with a kong parse of only the options this command uses.
bench_unshare() {
  pair "unshare -nui /bin/true" 300 "$APPLETS/unshare -nui /bin/true" "/usr/bin/unshare -nui /bin/true"
  pair "  floor: Go runtime + unshare(2) + exec" 300 "$GOFLOOR unshare /bin/true" "/usr/bin/unshare -nui /bin/true"
  pair "  floor: + kong parse of -n -u -i" 300 "$KONGFLOOR unshare -n -u -i /bin/true" "/usr/bin/unshare -nui /bin/true"
  pair "unshare -nui (C stage: --trace) /bin/true" 200 "$APPLETS/unshare --trace -nui /bin/true 2>/dev/null" "/usr/bin/unshare -nui /bin/true"
  pair "unshare -fp --mount-proc /bin/true" 100 "$APPLETS/unshare -fp --mount-proc /bin/true" "/usr/bin/unshare -fp --mount-proc /bin/true"
}

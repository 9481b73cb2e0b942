//go:build linux

// Command nsbox is four Linux namespace tools in one binary: unshare, nsenter, lsns and
// pidns-init. The applet is the basename of argv[0] (install symlinks with `nsbox --install
// DIR`), or the first argument: `nsbox unshare -n ip link`.
//
// This package owns the dispatch (which applet an argv runs, nsbox's own --list, --install and
// --completion) and links the executor's pre-runtime C stage, nsutil/executor/cstage.
package main

//go:build linux

// Package nstest holds the helpers nsbox's tests share, so that no test package keeps its own
// copy: the skip policy (a skip is a failure with CI=true), the nsbox binary under test and the
// reference util-linux tools, an unprivileged user for rootless tests, running commands (or an
// applet's Main in-process) with a timeout, target processes in new namespaces and fake
// containers in their own cgroups, and reading a process's namespace links.
package nstest

//go:build linux

// Package nsutil is the core every nsbox applet shares: the table of namespace kinds, opening and
// checking namespace targets (PID[:INODE], pidfds, namespace files, namespace IDs, files for
// persistent namespaces), the namespace ioctls that relate namespaces, ID maps, signal names,
// util-linux-style numbers and durations, and errno texts as the C library words them. The plan of namespace steps and the pre-runtime stage that carries it out are in
// nsutil/executor; pidns-init's init is nsutil/pidinit; /proc is read by nsutil/procfs and the host's namespaces are found by
// nsutil/discover; the flag parsing the applets share is in nsutil/cli. nsutil knows nothing of
// flags' spelling or of output formats, and it never prints.
package nsutil

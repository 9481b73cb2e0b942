//go:build linux

// Package procfs is nsbox's one reader of /proc: the PIDs, and per process its stat (with
// hostile command names), cmdline and comm, namespace links, open descriptors (what stat says
// of their files), mountinfo (one parser plus composable filters), cgroup, environ and owner;
// and the NETNSID rtnetlink gives a network namespace. Beside /proc, it reads the other side of
// /proc/PID/cgroup: a cgroup hierarchy's directories and their cgroup.procs. The bulk readers (Dir, PIDs) make raw system calls through one fd on /proc
// and reuse their buffers, since lsns reads tens of thousands of files per run.
//
// Processes come and go while they are read: a process that vanished gives an error wrapping
// ENOENT or ESRCH, or is simply not listed, never a partial value. procfs knows nothing of
// namespace kinds (a link is a name and an inode) and never prints.
package procfs

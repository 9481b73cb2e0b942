//go:build linux

// Package discover finds the host's namespaces, as lsns lists them and nsenter --container
// looks them up: every namespace however it is held (a process's /proc/PID/ns link, an open
// namespace fd, a socket, an nsfs bind mount), the processes in it, its parent and owner
// (NS_GET_PARENT, NS_GET_USERNS, including ancestors no process is in) and its NETNSID; and the
// containers of the engines (docker, podman, containerd, CRI) with their init processes.
//
// It reads /proc through nsutil/procfs, in parallel and tolerant of processes that vanish
// meanwhile, and returns a plain model: no output fields, no formatting, no printing.
package discover

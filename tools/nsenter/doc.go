//go:build linux

// Package nsenter is the nsenter applet: run a program in the namespaces of another process or
// of namespace files, a drop-in for util-linux nsenter(1).
//
//	nsenter [options] [program [arguments...]]
//
// Beyond util-linux: -a skips what the caller already shares with the target, --net=NAME
// enters the ip-netns namespace /run/netns/NAME, --container=ID targets a container's init, and
// --trace shows every step.
package nsenter

//go:build linux && cgo

package pidinit

// #cgo CFLAGS: -Wall -O2
// #include <stdlib.h>
// #include "pidinit.h"
// extern int nsbox_pidinit_plan_fd;
// int nsbox_pidinit_is_init(const char *argv0, const char *argv1);
// static const char *names(void) { return pidinit_names; }
// static int names_len(void) { return sizeof pidinit_names - 1; }
import "C"

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Active reports whether this process is the command-line parser a C init waits for.
func Active() bool { return C.nsbox_pidinit_plan_fd >= 0 }

// Names are the names that make the binary pidns-init (its own first).
func Names() []string {
	all := C.GoStringN(C.names(), C.names_len())
	return strings.Split(strings.TrimSuffix(all, "\x00"), "\x00")
}

// Aliases maps each of the other names (docker-init, podman-init, tini) to pidns-init, for the
// dispatcher: the C stage's list is the one table of them.
func Aliases() map[string]string {
	names := Names()
	m := make(map[string]string, len(names)-1)
	for _, n := range names[1:] {
		m[n] = names[0]
	}
	return m
}

// IsInit reports whether the C stage takes a process with these first arguments (argv1 ""
// when there is none) for pidns-init: the applet cli.AppletOf names is one of Names.
func IsInit(argv0, argv1 string) bool {
	a0 := C.CString(argv0)
	defer C.free(unsafe.Pointer(a0))
	var a1 *C.char
	if argv1 != "" {
		a1 = C.CString(argv1)
		defer C.free(unsafe.Pointer(a1))
	}
	return C.nsbox_pidinit_is_init(a0, a1) != 0
}

// Send hands the plan to the waiting C init and closes the pipe; the caller then exits 0.
func Send(p *Plan) error {
	if !Active() {
		return ErrNoInit
	}
	f := os.NewFile(uintptr(C.nsbox_pidinit_plan_fd), "pidns-init plan")
	C.nsbox_pidinit_plan_fd = -1
	_, err := f.Write(p.encode())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// encode lays the plan out as struct pidinit_plan and its strings.
func (p *Plan) encode() []byte {
	var c C.struct_pidinit_plan
	c.magic = C.PIDINIT_MAGIC
	flag := func(on bool, f C.uint32_t) {
		if on {
			c.flags |= f
		}
	}
	flag(p.Pause, C.PIDINIT_PAUSE)
	flag(p.Subreaper, C.PIDINIT_SUBREAPER)
	flag(p.ProcessGroup, C.PIDINIT_PGROUP)
	flag(p.WarnOnReap, C.PIDINIT_WARN_REAP)
	c.verbosity = C.int32_t(p.Verbosity)
	c.pdeathsig = C.int32_t(p.ParentDeath)
	c.grace_ns = C.int64_t(p.Grace)
	c.argc = C.uint32_t(len(p.Argv))
	for code, zero := range p.Expect {
		if zero {
			c.expect[code] = 1
		}
	}
	for sig := range c.rewrite {
		c.rewrite[sig] = C.PIDINIT_DEFAULT
		if to, ok := p.Rewrite[unix.Signal(sig)]; ok {
			c.rewrite[sig] = C.int8_t(to)
		}
	}
	var s []byte
	add := func(str string) { s = append(append(s, str...), 0) }
	for _, a := range p.Argv {
		add(a)
	}
	for sig := unix.Signal(1); sig <= C.PIDINIT_NSIG; sig++ {
		add(p.SignalName(sig))
	}
	for errno := unix.Errno(1); errno < C.PIDINIT_NERRNO; errno++ {
		add(p.Strerror(errno))
	}
	c.strings = C.uint32_t(len(s))
	head := unsafe.Slice((*byte)(unsafe.Pointer(&c)), C.sizeof_struct_pidinit_plan)
	return append(append([]byte(nil), head...), s...)
}

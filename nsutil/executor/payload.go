//go:build linux

package executor

import (
	"bytes"
	"encoding/binary"
	"syscall"
)

// The arguments of each operation, and how they are laid out for the C stage: each args type's
// encode writes the fields that read_payload in cstage/preruntime.c reads for its operation, in
// the same order (stage.h lists them beside the operations).

type unshareArgs struct{ flags uintptr }
type setnsArgs struct {
	fd     int
	nstype uintptr
}
type writeArgs struct{ path, data string }
type mountArgs struct {
	source, target, fstype string
	flags                  uintptr
	data                   string
}
type pathArgs struct{ path string } // chroot, chdir
type fdArgs struct{ fd int }        // fchdir
type idArgs struct{ id int }        // setresuid, setresgid
type prctlArgs struct {
	option int
	arg    uint64
}
type runArgs struct{ argv []string }
type openFchdirArgs struct{ path, fchdirMsg string }
type envAtArgs struct{ dirfd int }
type failArgs struct{ errno syscall.Errno } // 0: the message alone
type execArgs struct {
	fd        int // an executable to fexecve, or -1
	path      string
	argv, env []string // env is used with flagEnv
	// With fd: another name for the same file where fd cannot be named (see ExecFD), and the
	// message when no name works.
	alt, unnamed string
}

// args is an operation's arguments; the operations that have none have nil.
type args interface {
	encode(e *encoder)
	strs() []string // every string, which must not hold a NUL byte
}

func (a unshareArgs) encode(e *encoder) { e.i64(int64(a.flags)) }
func (a setnsArgs) encode(e *encoder)   { e.i64(int64(a.fd)); e.i64(int64(a.nstype)) }
func (a writeArgs) encode(e *encoder)   { e.str(a.path); e.str(a.data) }
func (a mountArgs) encode(e *encoder) {
	e.str(a.source)
	e.str(a.target)
	e.str(a.fstype)
	e.i64(int64(a.flags))
	e.str(a.data)
}
func (a pathArgs) encode(e *encoder)  { e.str(a.path) }
func (a fdArgs) encode(e *encoder)    { e.i64(int64(a.fd)) }
func (a idArgs) encode(e *encoder)    { e.i64(int64(a.id)) }
func (a prctlArgs) encode(e *encoder) { e.i64(int64(a.option)); e.i64(int64(a.arg)) }
func (a runArgs) encode(e *encoder)   { e.vec(a.argv) }
func (a openFchdirArgs) encode(e *encoder) {
	e.str(a.path)
	e.str(a.fchdirMsg)
}
func (a envAtArgs) encode(e *encoder) { e.i64(int64(a.dirfd)) }
func (a failArgs) encode(e *encoder)  { e.i64(int64(a.errno)) }
func (a execArgs) encode(e *encoder) {
	e.i64(int64(a.fd))
	e.str(a.path)
	e.vec(a.argv)
	e.vec(a.env)
	e.str(a.alt)
	e.str(a.unnamed)
}

func (a unshareArgs) strs() []string    { return nil }
func (a setnsArgs) strs() []string      { return nil }
func (a writeArgs) strs() []string      { return []string{a.path, a.data} }
func (a mountArgs) strs() []string      { return []string{a.source, a.target, a.fstype, a.data} }
func (a pathArgs) strs() []string       { return []string{a.path} }
func (a fdArgs) strs() []string         { return nil }
func (a idArgs) strs() []string         { return nil }
func (a prctlArgs) strs() []string      { return nil }
func (a runArgs) strs() []string        { return a.argv }
func (a openFchdirArgs) strs() []string { return []string{a.path, a.fchdirMsg} }
func (a envAtArgs) strs() []string      { return nil }
func (a failArgs) strs() []string       { return nil }
func (a execArgs) strs() []string {
	return append(append([]string{a.path, a.alt, a.unnamed}, a.argv...), a.env...)
}

// encoder writes the plan in the C stage's layout (native byte order).
type encoder struct{ b bytes.Buffer }

func (e *encoder) u32(v uint32) { e.b.Write(binary.NativeEndian.AppendUint32(nil, v)) }
func (e *encoder) i64(v int64)  { e.b.Write(binary.NativeEndian.AppendUint64(nil, uint64(v))) }
func (e *encoder) str(s string) { e.u32(uint32(len(s))); e.b.WriteString(s) }
func (e *encoder) vec(v []string) {
	e.u32(uint32(len(v)))
	for _, s := range v {
		e.str(s)
	}
}

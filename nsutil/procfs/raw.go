//go:build linux

package procfs

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The /proc scan makes tens of thousands of short system calls. Through the ordinary wrappers
// each one tells the Go scheduler it may block, and on this kind of machine /proc calls take
// long enough that the scheduler hands the P to another thread and back every time (futex and
// nanosleep storms that cost more than the calls themselves). These calls never block on
// anything but the kernel's own work, so they go through unix.RawSyscall6.

func rawRead(fd int, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall6(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawClose(fd int) {
	unix.RawSyscall6(unix.SYS_CLOSE, uintptr(fd), 0, 0, 0, 0, 0)
}

func rawGetdents(fd int, buf []byte) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawFstat(fd int, st *unix.Stat_t) error {
	_, _, e := unix.RawSyscall6(unix.SYS_FSTAT, uintptr(fd), uintptr(unsafe.Pointer(st)), 0, 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// rawReadlinkatBytes is readlinkat(2) for a path already NUL-terminated in a reusable buffer,
// so that the hot loop allocates nothing.
func rawReadlinkatBytes(dirfd int, path []byte, buf []byte) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawOpenatBytes is openat(2), O_CLOEXEC, for a NUL-terminated path.
func rawOpenatBytes(dirfd int, path []byte, flags int) (int, error) {
	fd, _, e := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])), uintptr(flags|unix.O_CLOEXEC), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// rawStatx is statx(2) for a NUL-terminated path relative to dirfd.
func rawStatx(dirfd int, path []byte, flags, mask int, stx *unix.Statx_t) error {
	_, _, e := unix.RawSyscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])), uintptr(flags), uintptr(mask), uintptr(unsafe.Pointer(stx)), 0)
	if e != 0 {
		return e
	}
	return nil
}

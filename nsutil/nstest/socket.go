//go:build linux

package nstest

import (
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// SocketIn makes a UDP socket in the network namespace of process pid and returns its fd, which
// the caller closes. A thread of this process visits the namespace (setns) and comes back; one
// that cannot come back stays locked and dies with its goroutine. It needs root.
func SocketIn(t testing.TB, pid int) int {
	t.Helper()
	sock := make(chan int, 1)
	go func() {
		runtime.LockOSThread()
		home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			sock <- -1
			return
		}
		defer unix.Close(home)
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/net", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil || unix.Setns(fd, unix.CLONE_NEWNET) != nil {
			sock <- -1
			return
		}
		unix.Close(fd)
		s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			s = -1
		}
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		sock <- s
	}()
	s := <-sock
	if s < 0 {
		t.Fatalf("could not make a socket in the network namespace of PID %d", pid)
	}
	return s
}

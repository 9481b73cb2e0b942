//go:build linux

package nsutil

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// What entering existing namespaces needs beyond opening files: whether setns takes a pidfd,
// the namespace of another process's socket, a user namespace's parent.

// PidfdSetnsSupported reports whether setns(2) accepts a pidfd and a mask of kinds (Linux 5.8).
func PidfdSetnsSupported() bool {
	return runningRelease().ok && !LimitPidfdSetns.Missing()
}

// kernelVersion parses the "6.18" of a release string such as "6.18.0-1-amd64".
func kernelVersion(release string) (major, minor int, ok bool) {
	ma, rest, _ := strings.Cut(release, ".")
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		rest = rest[:end]
	}
	major, err1 := strconv.Atoi(ma)
	minor, err2 := strconv.Atoi(rest)
	return major, minor, err1 == nil && err2 == nil
}

// SocketNamespace opens the network namespace of socket fd sockfd of the target (pidfd_getfd,
// then SIOCGSKNS): util-linux nsenter's --net-socket. It needs a pidfd and ptrace access. Its
// errors read as util-linux's, which name the descriptors the calls took: `pidfd_getfd(3, 7):
// Operation not permitted`, `ioctl(4, SIOCGSKNS): Inappropriate ioctl for device`.
func SocketNamespace(t *Target, sockfd int) (*NSFile, error) {
	if t.PidFD < 0 {
		return nil, fmt.Errorf("failed to pidfd_open() for %d: %w", t.PID, unix.ENOSYS)
	}
	sk, err := unix.PidfdGetfd(t.PidFD, sockfd, 0)
	if err != nil {
		return nil, os.NewSyscallError(fmt.Sprintf("pidfd_getfd(%d, %d)", t.PidFD, sockfd), err)
	}
	defer unix.Close(sk)
	fd, err := unix.IoctlRetInt(sk, unix.SIOCGSKNS)
	if err != nil {
		return nil, os.NewSyscallError(fmt.Sprintf("ioctl(%d, SIOCGSKNS)", sk), err)
	}
	unix.CloseOnExec(fd)
	net, _ := KindByName("net")
	return &NSFile{FD: fd, Path: fmt.Sprintf("net of socket %d of PID %d", sockfd, t.PID), Kind: net}, nil
}

// ParentUserNamespace opens the user namespace that owns f (NS_GET_USERNS): for a user namespace,
// its parent. Its error reads as util-linux's: `failed to open parent namespace: ...`.
func ParentUserNamespace(f *NSFile) (*NSFile, error) {
	fd, err := unix.IoctlRetInt(f.FD, unix.NS_GET_USERNS)
	if err != nil {
		return nil, fmt.Errorf("failed to open parent namespace: %w", err)
	}
	unix.CloseOnExec(fd)
	user, _ := KindByName("user")
	return &NSFile{FD: fd, Path: "parent of " + f.Path, Kind: user}, nil
}

//go:build linux

package nsutil

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"
)

// NetNSIDNotAssigned is the NETNSID of a network namespace with no id in ours (NETNSA_NSID_NOT_ASSIGNED).
const NetNSIDNotAssigned = -1

// NetNSIDQuerier asks rtnetlink for the id our network namespace gives other network
// namespaces (RTM_GETNSID with NETNSA_FD), as `ip netns list-id` and lsns's NETNSID show it.
type NetNSIDQuerier struct {
	fd  int
	seq uint32
}

// OpenNetNSIDQuerier opens the NETLINK_ROUTE socket.
func OpenNetNSIDQuerier() (*NetNSIDQuerier, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket(AF_NETLINK)", err)
	}
	return &NetNSIDQuerier{fd: fd}, nil
}

// Close closes the socket.
func (q *NetNSIDQuerier) Close() error { return unix.Close(q.fd) }

const (
	netnsaNSID = 1 // NETNSA_NSID
	netnsaFD   = 3 // NETNSA_FD
)

// Query returns the id of the network namespace open on nsfd (NetNSIDNotAssigned when it has none).
func (q *NetNSIDQuerier) Query(nsfd int) (int, error) {
	q.seq++
	// nlmsghdr (16) + rtgenmsg (1, padded to 4) + rtattr (4) + int32 (4)
	req := make([]byte, 28)
	binary.NativeEndian.PutUint32(req[0:], 28)
	binary.NativeEndian.PutUint16(req[4:], unix.RTM_GETNSID)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(req[8:], q.seq)
	req[16] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint16(req[20:], 8)
	binary.NativeEndian.PutUint16(req[22:], netnsaFD)
	binary.NativeEndian.PutUint32(req[24:], uint32(int32(nsfd)))
	if err := unix.Sendto(q.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, os.NewSyscallError("sendto(RTM_GETNSID)", err)
	}
	buf := make([]byte, 256)
	for {
		n, _, err := unix.Recvfrom(q.fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("recvfrom(RTM_GETNSID)", err)
		}
		for msg := buf[:n]; len(msg) >= 16; {
			l := int(binary.NativeEndian.Uint32(msg[0:]))
			if l < 16 || l > len(msg) {
				break
			}
			typ := binary.NativeEndian.Uint16(msg[4:])
			seq := binary.NativeEndian.Uint32(msg[8:])
			data := msg[16:l]
			msg = msg[min((l+3)&^3, len(msg)):]
			if seq != q.seq {
				continue
			}
			switch typ {
			case unix.NLMSG_ERROR:
				if len(data) >= 4 {
					if e := int32(binary.NativeEndian.Uint32(data)); e != 0 {
						return 0, os.NewSyscallError("RTM_GETNSID", unix.Errno(-e))
					}
				}
				return 0, os.NewSyscallError("RTM_GETNSID", unix.EINVAL)
			case unix.RTM_NEWNSID:
				return parseNSIDReply(data)
			}
		}
	}
}

func parseNSIDReply(data []byte) (int, error) {
	if len(data) < 4 {
		return 0, os.NewSyscallError("RTM_NEWNSID", unix.EINVAL)
	}
	attrs := data[4:] // rtgenmsg padded
	for len(attrs) >= 4 {
		l := int(binary.NativeEndian.Uint16(attrs[0:]))
		t := binary.NativeEndian.Uint16(attrs[2:])
		if l < 4 || l > len(attrs) {
			break
		}
		if t == netnsaNSID && l >= 8 {
			return int(int32(binary.NativeEndian.Uint32(attrs[4:]))), nil
		}
		adv := (l + 3) &^ 3
		if adv > len(attrs) {
			break
		}
		attrs = attrs[adv:]
	}
	return 0, os.NewSyscallError("RTM_NEWNSID", unix.ENODATA)
}

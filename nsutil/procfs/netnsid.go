//go:build linux

package procfs

import (
	"encoding/binary"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NetNSIDQuerier asks rtnetlink for the id our network namespace gives other network
// namespaces (RTM_GETNSID with NETNSA_FD), as `ip netns list-id` and lsns's NETNSID show it.
type NetNSIDQuerier struct {
	fd  int
	seq uint32
	buf []byte
}

// OpenNetNSIDQuerier opens the NETLINK_ROUTE socket.
func OpenNetNSIDQuerier() (*NetNSIDQuerier, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket(AF_NETLINK)", err)
	}
	return &NetNSIDQuerier{fd: fd, buf: make([]byte, os.Getpagesize())}, nil
}

// Close closes the socket.
func (q *NetNSIDQuerier) Close() error { return unix.Close(q.fd) }

// nlmsgAlign rounds a netlink length up to NLMSG_ALIGNTO (RTA_ALIGNTO is the same 4).
func nlmsgAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// Query returns the id of the network namespace open on nsfd: unix.NETNSA_NSID_NOT_ASSIGNED
// when it has none.
func (q *NetNSIDQuerier) Query(nsfd int) (int, error) {
	q.seq++
	// nlmsghdr, rtgenmsg (padded), one rtattr holding the fd as an int32
	genLen := nlmsgAlign(unix.SizeofRtGenmsg)
	req := make([]byte, unix.NLMSG_HDRLEN+genLen+unix.SizeofRtAttr+4)
	*(*unix.NlMsghdr)(unsafe.Pointer(&req[0])) = unix.NlMsghdr{
		Len: uint32(len(req)), Type: unix.RTM_GETNSID, Flags: unix.NLM_F_REQUEST, Seq: q.seq,
	}
	req[unix.NLMSG_HDRLEN] = unix.AF_UNSPEC // rtgenmsg.rtgen_family
	attr := req[unix.NLMSG_HDRLEN+genLen:]
	*(*unix.RtAttr)(unsafe.Pointer(&attr[0])) = unix.RtAttr{Len: unix.SizeofRtAttr + 4, Type: unix.NETNSA_FD}
	binary.NativeEndian.PutUint32(attr[unix.SizeofRtAttr:], uint32(int32(nsfd)))
	if err := unix.Sendto(q.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, os.NewSyscallError("sendto(RTM_GETNSID)", err)
	}
	for {
		n, _, err := unix.Recvfrom(q.fd, q.buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("recvfrom(RTM_GETNSID)", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(q.buf[:n])
		if err != nil {
			return 0, os.NewSyscallError("RTM_GETNSID", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != q.seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					if e := int32(binary.NativeEndian.Uint32(m.Data)); e != 0 {
						return 0, os.NewSyscallError("RTM_GETNSID", unix.Errno(-e))
					}
				}
				return 0, os.NewSyscallError("RTM_GETNSID", unix.EINVAL)
			case unix.RTM_NEWNSID:
				return parseNSIDReply(m.Data)
			}
		}
	}
}

// parseNSIDReply finds NETNSA_NSID in the body of an RTM_NEWNSID message.
func parseNSIDReply(data []byte) (int, error) {
	genLen := nlmsgAlign(unix.SizeofRtGenmsg)
	if len(data) < genLen {
		return 0, os.NewSyscallError("RTM_NEWNSID", unix.EINVAL)
	}
	for attrs := data[genLen:]; len(attrs) >= unix.SizeofRtAttr; {
		l := int(binary.NativeEndian.Uint16(attrs[0:]))
		t := binary.NativeEndian.Uint16(attrs[2:])
		if l < unix.SizeofRtAttr || l > len(attrs) {
			break
		}
		if t == unix.NETNSA_NSID && l >= unix.SizeofRtAttr+4 {
			return int(int32(binary.NativeEndian.Uint32(attrs[unix.SizeofRtAttr:]))), nil
		}
		attrs = attrs[min(nlmsgAlign(l), len(attrs)):]
	}
	return 0, os.NewSyscallError("RTM_NEWNSID", unix.ENODATA)
}

//go:build linux

package nsenter

import (
	"fmt"
	"math"
	"os"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"golang.org/x/sys/unix"
)

// commandLine does what util-linux does as it meets each option, in the order given: it
// parses -t, -S, -G and -N, checks a -t PID:INODE, and opens namespace files and -r/-w
// directories; --wd and --wdns exclude each other. The last occurrence of an option counts.
func (e *entry) commandLine() error {
	checks := e.opts.Checks()
	checks.Exclusive("wd", "wdns")
	checks.Each("target", e.targetOccurrence)
	checks.Each("setuid", func(o cli.Occurrence) (err error) {
		e.uid, e.followUID, err = parseID(o.Value, "uid")
		e.setUID = err == nil
		return err
	})
	checks.Each("setgid", func(o cli.Occurrence) (err error) {
		e.gid, e.followGID, err = parseID(o.Value, "gid")
		e.setGID, e.gidGiven = err == nil, err == nil
		return err
	})
	checks.Each("net-socket", e.socketOccurrence)
	for _, k := range nsutil.Kinds {
		checks.Each(k.Long, func(o cli.Occurrence) error { return e.namespaceOccurrence(k, o) })
	}
	// util-linux drops the '=' of `-w=DIR` but not of `-r=DIR`.
	checks.Each("root", func(o cli.Occurrence) error {
		return openDirOccurrence(o, rootDir, &e.rootFD, &e.rootPath, &e.rootTarget)
	})
	checks.Each("wd", func(o cli.Occurrence) error {
		o.Value = optValue(o.Value)
		return openDirOccurrence(o, workDir, &e.wdFD, &e.wdPath, &e.wdTarget)
	})
	return checks.Run()
}

// targetOccurrence reads one -t PID[:INODE]. A PID with an inode is opened and checked at once
// (util-linux 2.42's pidfd check).
func (e *entry) targetOccurrence(o cli.Occurrence) error {
	spec, err := nsutil.ParseTargetSpec(o.Value)
	if err != nil {
		return err // util-linux's words, which do not repeat the value
	}
	if e.target != nil {
		e.target.Close()
		e.target = nil
	}
	e.spec = spec
	if spec.PidfdInode != 0 {
		e.target, err = nsutil.OpenTargetSpec(spec)
	}
	return err
}

// socketOccurrence reads one -N FD (util-linux's strtos32: a negative FD is no socket).
func (e *entry) socketOccurrence(o cli.Occurrence) error {
	fd, err := nsutil.ParseInt32C(o.Value)
	if err != nil {
		return numberError("failed to parse file descriptor", o.Value, err)
	}
	e.socketFD = int(fd)
	return nil
}

// namespaceOccurrence opens the value of one namespace option, replacing an earlier one.
func (e *entry) namespaceOccurrence(k nsutil.Kind, o cli.Occurrence) error {
	if !o.HasValue {
		return nil // the target's, unless a value is given too
	}
	f, err := openNamespaceValue(optValue(o.Value), k)
	if err != nil {
		return err
	}
	if old := e.files[k.Name]; old != nil {
		old.Close()
	}
	e.files[k.Name] = f
	return nil
}

// The messages of a -r or -w directory that is a file: util-linux's, which opens the file and
// fails to fchdir to it after entering the namespaces (nsenter refuses it before).
const (
	rootDir = "change directory by root file descriptor failed"
	workDir = "change directory by working directory file descriptor failed"
)

// openDirOccurrence opens the directory of one -r/-w, replacing an earlier one; one without a
// value makes it the target's (even when a value follows, as in util-linux). notDir is the
// message for a file that is not a directory.
func openDirOccurrence(o cli.Occurrence, notDir string, fd *int, path *string, fromTarget *bool) error {
	if !o.HasValue {
		*fromTarget = true
		return nil
	}
	value := o.Value
	dir, err := unix.Open(value, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == unix.ENOTDIR {
		if file, ferr := unix.Open(value, unix.O_RDONLY|unix.O_CLOEXEC, 0); ferr == nil {
			unix.Close(file) // it is there, and not a directory
			return fmt.Errorf("%s: %w", notDir, err)
		}
	}
	if err != nil {
		return &os.PathError{Op: "cannot open", Path: value, Err: err}
	}
	if *fd >= 0 {
		unix.Close(*fd)
	}
	*fd, *path = dir, value
	return nil
}

// parseID reads an -S/-G value the way util-linux 2.42 does (strtoul: leading blanks and '+'
// allowed, "Numerical result out of range" for a negative number): a uid or gid, or "follow"
// (the owner of /proc/PID). util-linux truncates a number beyond 32 bits (-S 4294967296 is uid
// 0); nsenter refuses it, and refuses 4294967295 ((uid_t)-1, "no change") with the message
// util-linux's setuid gives.
func parseID(s, what string) (id int, follow bool, err error) {
	if s == "follow" {
		return 0, true, nil
	}
	n, err := nsutil.ParseUint64C(s)
	if err == nil && n > math.MaxUint32 {
		err = unix.ERANGE
	}
	if err != nil {
		return 0, false, numberError("failed to parse "+what, s, err)
	}
	if n == math.MaxUint32 {
		return 0, false, fmt.Errorf("set%s() failed: %w", what, unix.EINVAL)
	}
	return int(n), false, nil
}

// numberError is util-linux's message for a bad number: `MSG: 'VALUE'`, with ":
// Numerical result out of range" when it is out of range.
func numberError(msg, value string, err error) error {
	if err == unix.ERANGE {
		return fmt.Errorf("%s: '%s': %w", msg, value, err)
	}
	return fmt.Errorf("%s: '%s'", msg, value)
}

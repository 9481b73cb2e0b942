package nsenter

import (
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/tools/cli"
	"golang.org/x/sys/unix"
)

// What nsenter does as it meets each option on the command line, in util-linux's order.

// commandLine does what util-linux does as it meets each option, in the order given: it
// parses -t, -S, -G and -N, checks a -t PID:INODE, and opens namespace files and -r/-w
// directories. The last occurrence of an option counts.
func (e *entry) commandLine() error {
	g := e.g
	var actions []cli.OrderedCheck
	add := func(given []occurrence, do func(occurrence) error) {
		for _, o := range given {
			actions = append(actions, cli.OrderedCheck{Seq: o.seq(), Check: func() error { return do(o) }})
		}
	}
	add(g.Target.given, e.targetOccurrence)
	add(g.Setuid.given, func(o occurrence) (err error) {
		e.uid, e.followUID, err = parseID(o.value, "uid")
		e.setUID = err == nil
		return err
	})
	add(g.Setgid.given, func(o occurrence) (err error) {
		e.gid, e.followGID, err = parseID(o.value, "gid")
		e.setGID, e.gidGiven = err == nil, err == nil
		return err
	})
	add(g.Socket.given, e.socketOccurrence)
	for _, k := range nsutil.Kinds {
		add(g.namespaceOption(k).given, func(o occurrence) error { return e.namespaceOccurrence(k, o) })
	}
	// util-linux drops the '=' of `-w=DIR` but not of `-r=DIR`.
	add(g.Root.given, func(o occurrence) error { return openDirOccurrence(o, rootDir, &e.rootFD, &e.rootPath, &e.rootTarget) })
	add(g.Wd.given, func(o occurrence) error {
		o.value = optValue(o.value)
		return openDirOccurrence(o, workDir, &e.wdFD, &e.wdPath, &e.wdTarget)
	})
	if conflict, ok := exclusive(map[string][]occurrence{"wd": g.Wd.given, "wdns": g.Wdns.given}); ok {
		// First among the actions of its option: util-linux checks before it acts.
		actions = append([]cli.OrderedCheck{conflict}, actions...)
	}
	return cli.FirstFailure(actions)
}

// exclusive is util-linux's check of two options that exclude each other, made where the
// second is first given: "options --wd and --wdns cannot be combined", in the order given.
func exclusive(given map[string][]occurrence) (cli.OrderedCheck, bool) {
	var names []string
	for name, occurrences := range given {
		if len(occurrences) == 0 {
			return cli.OrderedCheck{}, false
		}
		names = append(names, name)
	}
	first := func(name string) int64 { return given[name][0].seq() }
	sort.Slice(names, func(i, j int) bool { return first(names[i]) < first(names[j]) })
	err := fmt.Errorf("options --%s and --%s cannot be combined", names[0], names[1])
	return cli.OrderedCheck{Seq: first(names[1]), Check: func() error { return err }}, true
}

// targetOccurrence reads one -t PID[:INODE]. A PID with an inode is opened and checked at once
// (util-linux 2.42's pidfd check).
func (e *entry) targetOccurrence(o occurrence) error {
	spec, err := nsutil.ParseTargetSpec(o.value)
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
func (e *entry) socketOccurrence(o occurrence) error {
	fd, err := nsutil.ParseInt32C(o.value)
	if err != nil {
		return numberError("failed to parse file descriptor", o.value, err)
	}
	e.socketFD = int(fd)
	return nil
}

// namespaceOccurrence opens the value of one namespace option, replacing an earlier one.
func (e *entry) namespaceOccurrence(k nsutil.Kind, o occurrence) error {
	if !o.hasValue {
		return nil // the target's, unless a value is given too
	}
	f, err := openNamespaceValue(optValue(o.value), k)
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
func openDirOccurrence(o occurrence, notDir string, fd *int, path *string, fromTarget *bool) error {
	if !o.hasValue {
		*fromTarget = true
		return nil
	}
	dir, err := unix.Open(o.value, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == unix.ENOTDIR {
		if file, ferr := unix.Open(o.value, unix.O_RDONLY|unix.O_CLOEXEC, 0); ferr == nil {
			unix.Close(file) // it is there, and not a directory
			return fmt.Errorf("%s: %w", notDir, err)
		}
	}
	if err != nil {
		return &os.PathError{Op: "cannot open", Path: o.value, Err: err}
	}
	if *fd >= 0 {
		unix.Close(*fd)
	}
	*fd, *path = dir, o.value
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

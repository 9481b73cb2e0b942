//go:build linux

package pidnsinit

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// ptySession is pidns-init started as the session leader of a new pseudo-terminal, with the
// terminal as its controlling terminal and its stdin, stdout and stderr.
type ptySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    strings.Builder
	// drained is closed when the terminal has nothing more to show: every program that had
	// it open is gone, and all they wrote has been read.
	drained chan struct{}
}

func startPTY(t *testing.T, cmd *exec.Cmd) *ptySession {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		nstest.Skip(t, "no pseudo-terminals: "+err.Error())
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	s := &ptySession{t: t, cmd: cmd, master: master, drained: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	go func() {
		defer close(s.drained)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// waitFor waits until the terminal has shown want.
func (s *ptySession) waitFor(want string) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(s.output(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("the terminal did not show %q within %v; it showed %q", want, timeout, s.output())
}

func (s *ptySession) write(text string) {
	s.t.Helper()
	if _, err := s.master.WriteString(text); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits for pidns-init's end and returns its status.
func (s *ptySession) wait() int {
	s.t.Helper()
	done := make(chan struct{})
	go func() {
		s.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		s.t.Fatalf("pidns-init did not finish within %v; the terminal showed %q", timeout, s.output())
	}
	// What the program wrote last may not have been read yet on a busy machine: wait for it.
	select {
	case <-s.drained:
	case <-time.After(timeout):
		s.t.Fatalf("the terminal is still open %v after pidns-init ended; it showed %q", timeout, s.output())
	}
	return nstest.ExitCode(s.cmd.ProcessState)
}

// On a terminal the program is the foreground process group, Ctrl-C interrupts it (130), and
// an interactive shell has job control.
func TestTerminal(t *testing.T) {
	t.Run("foreground", func(t *testing.T) {
		// /proc/PID/stat after the command name: state ppid pgrp session tty_nr tpgid.
		s := startPTY(t, initCmd(t, false, "sh", "-c", `set -- $(cut -d')' -f2 /proc/$$/stat); [ "$3" = "$6" ] && echo FG-YES || echo FG-NO pgrp=$3 tpgid=$6`))
		if code := s.wait(); code != 0 {
			t.Errorf("got status %d, want 0", code)
		}
		if out := s.output(); !strings.Contains(out, "FG-YES") {
			t.Errorf("the program is not the foreground group: %q", out)
		}
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		s := startPTY(t, initCmd(t, true, "sh", "-c", "echo READY; exec sleep 600"))
		s.waitFor("READY")
		s.write("\x03")
		if code := s.wait(); code != 130 {
			t.Errorf("Ctrl-C: got status %d, want 130; the terminal showed %q", code, s.output())
		}
	})
	t.Run("job control", func(t *testing.T) {
		nstest.RequireTool(t, "/usr/bin/bash")
		cmd := initCmd(t, true, "/usr/bin/bash", "--norc", "--noprofile", "-i")
		cmd.Env = append(os.Environ(), "PS1=PROMPT> ", "TERM=dumb")
		s := startPTY(t, cmd)
		s.waitFor("PROMPT> ")
		s.write("sleep 600 &\n")
		s.write("kill -STOP %1; wait_stopped() { while ! jobs -l | grep -q Stopped; do sleep 0.02; done; }; wait_stopped; echo JOB-$(jobs | grep -c Stopped)\n")
		s.waitFor("JOB-1")
		// wait: bash refuses the first exit while it still lists a stopped job, and on a busy
		// machine it may not have seen the KILLed job's end yet.
		s.write("kill -KILL %1; wait %1; set -o | grep ^monitor; exit 7\n")
		if code := s.wait(); code != 7 {
			t.Errorf("got status %d, want 7; the terminal showed %q", code, s.output())
		}
		out := s.output()
		if strings.Contains(out, "no job control") || strings.Contains(out, "cannot set terminal process group") {
			t.Errorf("bash has no job control under pidns-init: %q", out)
		}
		if !strings.Contains(out, "monitor") || !strings.Contains(out, "on") {
			t.Errorf("bash's monitor option is not on: %q", out)
		}
	})
}

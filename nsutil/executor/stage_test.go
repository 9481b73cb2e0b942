//go:build linux

package executor

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// A binary without the C stage refuses every plan, even one the in-process engine could carry
// out, rather than re-executing into a binary that would not understand the marker.
func TestRunWithoutCStage(t *testing.T) {
	linked := stage
	stage = nil
	defer func() { stage = linked }()
	for _, engine := range []Engine{EngineReexec, EngineAuto, EngineInProcess} {
		p := NewPlan("test")
		p.Engine = engine
		err := p.Unshare(unix.CLONE_NEWUTS).Exec([]string{"true"}, nil).Run()
		if !errors.Is(err, ErrNoCStage) {
			t.Errorf("%v: Run() = %v, want ErrNoCStage", engine, err)
		}
	}
}

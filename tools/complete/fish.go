package complete

import "io"

// Fish writes a fish completion script.
func Fish(w io.Writer, applets []*Applet) error { return nil }

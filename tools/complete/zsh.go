package complete

import "io"

// Zsh writes a zsh completion script.
func Zsh(w io.Writer, applets []*Applet) error { return nil }

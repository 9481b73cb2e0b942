//go:build linux && !cgo

package nsutil

// inheritedSignals has no pre-runtime record in a build without cgo; InheritedSignals falls
// back to /proc/self/status, where the runtime has already replaced most inherited SIG_IGN.
func inheritedSignals() (ignored, blocked SignalSet, ok bool) { return 0, 0, false }

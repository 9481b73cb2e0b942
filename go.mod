module github.com/nsbox/nsbox

go 1.26.0

require (
	github.com/alecthomas/kong v1.17.0
	github.com/fatih/color v1.19.0
	golang.org/x/sys v0.49.0
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
)

# nsbox: see README.md. `make test` is what CI runs (through .ci/run).
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man
DATADIR  := $(PREFIX)/share
APPLETS  := unshare nsenter lsns pidns-init
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
GO       ?= go
# Go's own installer puts it in /usr/local/go/bin, which root's PATH often lacks.
export PATH := $(PATH):/usr/local/go/bin
PKG      := github.com/nsbox/nsbox
# A static binary (cgo for the pre-runtime stage, linked with -static) runs when copied into a
# minimal container. osusergo,netgo keep os/user and net from needing the C library's NSS. musl
# (Debian's musl-tools) gives a smaller binary that also starts faster than static glibc; glibc
# is the fallback. The C stage needs only the kernel headers, which musl-gcc does not search.
MUSLCC   := $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(MUSLCC),)
STATIC_CC     := CC=musl-gcc
STATIC_CFLAGS := CGO_CFLAGS="-O2 -idirafter /usr/include -idirafter /usr/include/$(shell gcc -print-multiarch)"
endif
STATIC   := -trimpath -tags osusergo,netgo \
            -ldflags '-s -w -linkmode external -extldflags -static -X $(PKG)/nsutil/cli.Version=$(VERSION)'
SOURCES  := $(shell find cmd tools nsutil -name '*.go' -o -name '*.c' -o -name '*.h') go.mod go.sum
TESTFLAGS ?=

.PHONY: all build floors test test-kernels unit lint lint-buildtags lint-man bench demo install uninstall fuzz clean

all: build

build: bin/nsbox

bin/nsbox: $(SOURCES)
	@mkdir -p bin
	CGO_ENABLED=1 $(STATIC_CC) $(STATIC_CFLAGS) $(GO) build $(STATIC) -o $@ ./cmd/nsbox
	@for a in $(APPLETS); do ln -sf nsbox bin/$$a; done

# staticcheck at a pinned version (the newest that builds with Go 1.26), with its default checks,
# unused code (U1000) included; `go run` fetches it through the module proxy once.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l cmd tools nsutil); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@$(MAKE) --no-print-directory lint-buildtags

# One rule for build constraints (README, Architecture): every Go file of the Linux-only packages,
# tests and doc.go included, says //go:build linux before its package clause; tools/lsns/scols
# is plain Go and says nothing.
GOFILES := $(shell find cmd nsutil tools tests -name '*.go' 2>/dev/null)
lint-buildtags:
	@bad=; for f in $(GOFILES); do \
	  tag=$$(awk '/^package /{exit} /^\/\/go:build /{print; exit}' $$f); \
	  case $$f:$$tag in \
	  tools/lsns/scols/*:) ;; tools/lsns/scols/*) bad="$$bad $$f" ;; \
	  *"://go:build linux" | *"://go:build linux "* | *"://go:build ignore") ;; *) bad="$$bad $$f" ;; \
	  esac; done; \
	if [ -n "$$bad" ]; then echo "build constraint against the rule in README's Architecture:$$bad"; exit 1; fi

lint-man:
	@if [ -n "$$(ls man/*.[18] 2>/dev/null)" ]; then mandoc -Tlint -W warning man/*.[18]; fi

# Unit and integration tests, root and rootless, against bin/nsbox (the static build). First
# scripts/setup installs what they need when it is missing (Debian packages, the reference
# util-linux, the test user; see README); then the build, in a make of its own, sees musl-gcc.
test:
	scripts/setup test
	@$(MAKE) --no-print-directory build lint lint-man
	GO=$(GO) scripts/run-tests $(TESTFLAGS)
	@$(MAKE) --no-print-directory test-kernels

# The kernel scenario on the host and under QEMU on Debian 11-14's kernels (5.10 to 7.x): the
# kernels are fetched from apt's Debian mirror and cached in /var/cache/nsbox-kernels.
test-kernels: build
	NSBOX_BIN=$(CURDIR)/bin/nsbox scripts/test-kernels

# The floors scripts/bench times beside util-linux (scripts/bench.d/gofloor): the same system
# calls with no parsing (gofloor) and with a kong parse of only the options used (kongfloor),
# built as nsbox is, so that their rows measure the runtime and kong, not the build.
FLOORSRC := $(wildcard scripts/bench.d/gofloor/*.go) go.mod go.sum
floors: bin/gofloor bin/kongfloor
bin/gofloor: $(FLOORSRC)
	@mkdir -p bin
	CGO_ENABLED=1 $(STATIC_CC) $(STATIC_CFLAGS) $(GO) build $(STATIC) -o $@ ./scripts/bench.d/gofloor
bin/kongfloor: $(FLOORSRC)
	@mkdir -p bin
	CGO_ENABLED=1 $(STATIC_CC) $(STATIC_CFLAGS) $(GO) build $(STATIC) -tags osusergo,netgo,kongfloor -o $@ ./scripts/bench.d/gofloor

bench: build floors
	scripts/bench

demo:
	scripts/setup demo
	@$(MAKE) --no-print-directory build
	scripts/demo

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# Shell completions are generated from the applets' grammars by the binary being installed.
BASHCOMPDIR := $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  := $(DATADIR)/zsh/site-functions
FISHCOMPDIR := $(DATADIR)/fish/vendor_completions.d
COMMANDS    := nsbox $(APPLETS)
MANPAGES    := $(wildcard man/*.1 man/*.8)
# The binary to install: bin/nsbox, built here, unless another is named (NSBOX=path).
NSBOX       ?= bin/nsbox
# What uninstall checks before it removes a completion file: that it is one nsbox wrote.
COMPMARK    := Generated by `nsbox --completion=

install: $(NSBOX)
	install -D -m 0755 $(NSBOX) $(DESTDIR)$(BINDIR)/nsbox
	@for a in $(APPLETS); do ln -sfn nsbox $(DESTDIR)$(BINDIR)/$$a; echo "$(DESTDIR)$(BINDIR)/$$a -> nsbox"; done
	@for p in $(MANPAGES); do \
	  d=$(DESTDIR)$(MANDIR)/man$${p##*.}; install -D -m 0644 $$p $$d/$${p##*/}; echo "$$d/$${p##*/}"; done
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(NSBOX) --completion=bash > $(DESTDIR)$(BASHCOMPDIR)/nsbox || { rm -f $(DESTDIR)$(BASHCOMPDIR)/nsbox; exit 1; }
	@for a in $(APPLETS); do ln -sfn nsbox $(DESTDIR)$(BASHCOMPDIR)/$$a; done
	@for c in $(COMMANDS); do \
	  for f in zsh:$(DESTDIR)$(ZSHCOMPDIR)/_$$c fish:$(DESTDIR)$(FISHCOMPDIR)/$$c.fish; do \
	    $(NSBOX) --completion=$${f%%:*} $$c > $${f#*:} || { rm -f $${f#*:}; exit 1; }; echo "$${f#*:}"; \
	  done; done

# Removes exactly what install put there: links and completion files only when they are
# nsbox's, so util-linux's own files (in /usr, not /usr/local) are never touched.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nsbox
	@for a in $(APPLETS); do \
	  for l in $(DESTDIR)$(BINDIR)/$$a $(DESTDIR)$(BASHCOMPDIR)/$$a; do \
	    if [ "$$(readlink $$l)" = nsbox ]; then rm -f $$l; fi; done; done
	@for p in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$${p##*/}; done
	@for f in $(DESTDIR)$(BASHCOMPDIR)/nsbox $(foreach c,$(COMMANDS),$(DESTDIR)$(ZSHCOMPDIR)/_$(c) $(DESTDIR)$(FISHCOMPDIR)/$(c).fish); do \
	  if grep -qsF '$(COMPMARK)' $$f; then rm -f $$f; fi; done

clean:
	rm -rf bin

# nsbox: see README.md. `make test` is what CI runs (through .ci/run).
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man
DATADIR  := $(PREFIX)/share
APPLETS  := unshare nsenter lsns pidns-init
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
GO       ?= go
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
            -ldflags '-s -w -linkmode external -extldflags -static -X $(PKG)/tools/cli.Version=$(VERSION)'
SOURCES  := $(shell find cmd tools nsutil -name '*.go' -o -name '*.c' -o -name '*.h') go.mod go.sum
TESTFLAGS ?=

.PHONY: all build test unit lint lint-man bench demo install uninstall fuzz clean

all: build

build: bin/nsbox

bin/nsbox: $(SOURCES)
	@mkdir -p bin
	CGO_ENABLED=1 $(STATIC_CC) $(STATIC_CFLAGS) $(GO) build $(STATIC) -o $@ ./cmd/nsbox
	@for a in $(APPLETS); do ln -sf nsbox bin/$$a; done

lint:
	@out=$$(gofmt -l cmd tools nsutil); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...

lint-man:
	@if [ -n "$$(ls man/*.[18] 2>/dev/null)" ]; then mandoc -Tlint -W warning man/*.[18]; fi

# Unit and integration tests, root and rootless, against bin/nsbox (the static build).
test: build lint lint-man
	NSBOX_BIN=$(CURDIR)/bin/nsbox $(GO) test -count=1 -p 2 -timeout 40m $(TESTFLAGS) ./...

bench: build
	scripts/bench

demo: build
	scripts/demo

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

install: build
	install -D -m 0755 bin/nsbox $(DESTDIR)$(BINDIR)/nsbox
	@for a in $(APPLETS); do ln -sf nsbox $(DESTDIR)$(BINDIR)/$$a; echo "$(DESTDIR)$(BINDIR)/$$a -> nsbox"; done
	@for p in $$(ls man/*.1 2>/dev/null); do install -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man1/$$(basename $$p); done
	@for p in $$(ls man/*.8 2>/dev/null); do install -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man8/$$(basename $$p); done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nsbox
	@for a in $(APPLETS); do \
	  if [ "$$(readlink $(DESTDIR)$(BINDIR)/$$a)" = nsbox ]; then rm -f $(DESTDIR)$(BINDIR)/$$a; fi; done
	@for p in $$(ls man/*.1 2>/dev/null); do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$p); done
	@for p in $$(ls man/*.8 2>/dev/null); do rm -f $(DESTDIR)$(MANDIR)/man8/$$(basename $$p); done

clean:
	rm -rf bin

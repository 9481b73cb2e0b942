//go:build linux

package discover

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// What the engines record about their containers, read where this process may read it:
//
//	docker      DATA-ROOT/containers/ID/config.v2.json: Name ("/web"), State.Pid, State.Running;
//	            DATA-ROOT from dockerd's --data-root or --config-file (its pid in /var/run/docker.pid),
//	            else /etc/docker/daemon.json, else /var/lib/docker
//	podman      GRAPHROOT/DRIVER-containers/containers.json (id, names) and
//	            RUNROOT/DRIVER-containers/ID/userdata/pidfile of the default and storage.conf
//	            stores (overlay, vfs); for any store (rootless, or configured elsewhere) the
//	            command line of the container's conmon: -c ID, -n NAME, -p PIDFILE
//	containerd  STATE/io.containerd.runtime.v2.task/NAMESPACE/ID/init.pid (ctr, nerdctl, CRI;
//	            docker's own containers are its namespace moby)
//
// A record's PID is believed only while that process is alive, not a zombie, and in the
// container (its cgroup or its parent's command line names the ID).

// engineRecord is one container as its engine records it.
type engineRecord struct {
	Container
	InitPID int // 0 when the record has none
}

// Where the engines keep their state; variables so that tests can point them at fixtures.
var (
	dockerPIDFile      = "/var/run/docker.pid"
	dockerDaemonJSON   = "/etc/docker/daemon.json"
	dockerDefaultRoot  = "/var/lib/docker"
	containerdTaskDirs = []string{"/run/containerd/io.containerd.runtime.v2.task"}
	podmanStorageConf  = "/etc/containers/storage.conf"
	podmanStores       = []podmanStore{{"/var/lib/containers/storage", "/run/containers/storage"}}
)

// podmanStore is a containers/storage store: where its containers.json files are (graphroot)
// and where the containers' pidfiles are (runroot).
type podmanStore struct{ graph, run string }

// stateReader reads the engines' records once per lookup and remembers what it could not read
// for lack of permission, so that "no such container" can say why.
type stateReader struct {
	denied []error
}

func (r *stateReader) note(err error) {
	if errors.Is(err, fs.ErrPermission) {
		r.denied = append(r.denied, err)
	}
}

// cmdlineArgs reads /proc/PID/cmdline as its arguments (none when it cannot be read).
func cmdlineArgs(pid int) []string {
	args, _ := procfs.ReadArgs(pid)
	return args
}

// optionValue returns the value of the option named by one of names in args, in the forms
// "--name value", "--name=value" and "-n value"; the last occurrence wins, as in getopt.
func optionValue(args []string, names ...string) string {
	var v string
	for i, a := range args {
		for _, n := range names {
			switch {
			case a == n && i+1 < len(args):
				v = args[i+1]
			case strings.HasPrefix(a, n+"=") && strings.HasPrefix(n, "--"):
				v = a[len(n)+1:]
			}
		}
	}
	return v
}

// dockerDataRoot is where dockerd dockerdPID (0: the one in docker's pid file) keeps its data.
func (r *stateReader) dockerDataRoot(dockerdPID int) string {
	if dockerdPID == 0 {
		data, err := os.ReadFile(dockerPIDFile)
		r.note(err)
		dockerdPID, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	var args []string
	if dockerdPID > 0 {
		args = cmdlineArgs(dockerdPID)
	}
	return r.dockerDataRootOf(args)
}

// dockerDataRootOf is the data root of a dockerd run with args (none: not running).
func (r *stateReader) dockerDataRootOf(args []string) string {
	if root := optionValue(args, "--data-root", "-g", "--graph"); root != "" {
		return root
	}
	config := dockerDaemonJSON
	if c := optionValue(args, "--config-file"); c != "" {
		config = c
	}
	data, err := os.ReadFile(config)
	r.note(err)
	var cfg struct {
		DataRoot string `json:"data-root"`
		Graph    string `json:"graph"`
	}
	if err == nil && json.Unmarshal(data, &cfg) == nil {
		if cfg.DataRoot != "" {
			return cfg.DataRoot
		}
		if cfg.Graph != "" {
			return cfg.Graph
		}
	}
	return dockerDefaultRoot
}

// dockerRecords reads the containers of the docker data root.
func (r *stateReader) dockerRecords(root string) []engineRecord {
	dir := filepath.Join(root, "containers")
	entries, err := os.ReadDir(dir)
	r.note(err)
	var out []engineRecord
	for _, e := range entries {
		if !isContainerID(e.Name()) {
			continue
		}
		file := filepath.Join(dir, e.Name(), "config.v2.json")
		data, err := os.ReadFile(file)
		r.note(err)
		var cfg struct {
			Name  string
			State struct {
				Running bool
				Pid     int
			}
		}
		if err != nil || json.Unmarshal(data, &cfg) != nil {
			continue
		}
		rec := engineRecord{Container: Container{Runtime: "docker", ID: e.Name(), Name: strings.TrimPrefix(cfg.Name, "/")}}
		if cfg.State.Running {
			rec.InitPID = cfg.State.Pid
		}
		out = append(out, rec)
	}
	return out
}

// containerdRecords reads containerd's running tasks: every namespace's init.pid.
func (r *stateReader) containerdRecords() []engineRecord {
	var out []engineRecord
	for _, dir := range containerdTaskDirs {
		namespaces, err := os.ReadDir(dir)
		r.note(err)
		for _, ns := range namespaces {
			tasks, err := os.ReadDir(filepath.Join(dir, ns.Name()))
			r.note(err)
			for _, task := range tasks {
				file := filepath.Join(dir, ns.Name(), task.Name(), "init.pid")
				data, err := os.ReadFile(file)
				r.note(err)
				if err != nil {
					continue
				}
				pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
				out = append(out, engineRecord{Container: containerdContainer(ns.Name(), task.Name()), InitPID: pid})
			}
		}
	}
	return out
}

// containerdContainer names a containerd task by its namespace: moby's are docker's, k8s.io's
// are Kubernetes' (CRI); a ctr or nerdctl ID is also the container's name.
func containerdContainer(namespace, id string) Container {
	switch namespace {
	case "moby":
		return Container{Runtime: "docker", ID: id}
	case "k8s.io":
		return Container{Runtime: "cri", ID: id}
	}
	return Container{Runtime: "containerd", ID: id, Name: id, namespace: namespace}
}

// podmanStoresFromConf adds the store storage.conf names.
func (r *stateReader) podmanStoresFromConf() []podmanStore {
	stores := append([]podmanStore(nil), podmanStores...)
	data, err := os.ReadFile(podmanStorageConf)
	r.note(err)
	var s podmanStore
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.TrimSpace(k) {
		case "graphroot":
			s.graph = v
		case "runroot":
			s.run = v
		}
	}
	if s.graph != "" {
		stores = append(stores, s)
	}
	return stores
}

// podmanRecords reads the containers.json of every driver of the stores.
func (r *stateReader) podmanRecords(stores []podmanStore) []engineRecord {
	var out []engineRecord
	seen := map[string]bool{}
	for _, s := range stores {
		files, _ := filepath.Glob(filepath.Join(s.graph, "*-containers", "containers.json"))
		if files == nil {
			_, err := os.Stat(s.graph)
			r.note(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			r.note(err)
			var list []struct {
				ID    string   `json:"id"`
				Names []string `json:"names"`
			}
			if err != nil || json.Unmarshal(data, &list) != nil {
				continue
			}
			driverDir := filepath.Base(filepath.Dir(file))
			for _, e := range list {
				if seen[e.ID] || !isContainerID(e.ID) {
					continue
				}
				seen[e.ID] = true
				rec := engineRecord{Container: Container{Runtime: "podman", ID: e.ID}}
				if len(e.Names) > 0 {
					rec.Name = e.Names[0]
				}
				if s.run != "" {
					pidfile := filepath.Join(s.run, driverDir, e.ID, "userdata", "pidfile")
					if data, err := os.ReadFile(pidfile); err == nil {
						rec.InitPID, _ = strconv.Atoi(strings.TrimSpace(string(data)))
					}
				}
				out = append(out, rec)
			}
		}
	}
	return out
}

// conmonRecord is the container a conmon (podman's monitor) runs: -c ID, -n NAME, and its
// init's PID in the -p pidfile; false for the conmon of an exec session. conmon's command line names podman's store wherever it is
// configured, rootful or rootless.
func conmonRecord(args []string) (engineRecord, bool) {
	id := optionValue(args, "-c", "--cid")
	if !isContainerID(id) {
		return engineRecord{}, false
	}
	// `podman exec` has a conmon of its own, with the session's -u and its -p exec_pid
	if u := optionValue(args, "-u", "--cuuid"); u != "" && u != id {
		return engineRecord{}, false
	}
	for _, a := range args {
		if a == "-e" || a == "--exec" {
			return engineRecord{}, false
		}
	}
	rec := engineRecord{Container: Container{Runtime: "podman", ID: id, Name: optionValue(args, "-n", "--name")}}
	if pidfile := optionValue(args, "-p", "--container-pidfile"); pidfile != "" {
		if data, err := os.ReadFile(pidfile); err == nil {
			rec.InitPID, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
	}
	return rec, true
}

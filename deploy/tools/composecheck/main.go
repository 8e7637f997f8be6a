// composecheck loads a compose file the way docker compose does (compose-go) and fails on any
// schema, interpolation or reference error: `docker compose config` without a Docker engine.
//
// Two deployment rules are checked on top, because compose accepts files that cannot run:
//
//	-writes /var/lib/haven,/tmp   every path a Haven service writes at start-up must be a volume or
//	                              tmpfs when the service runs read_only (so are HAVEN_DATA_DIR and
//	                              PROMETHEUS_MULTIPROC_DIR when a service sets them)
//	-engine elasticsearch=9       the engine image's major version must be one the installed client
//	-engine opensearch=1-3        speaks (repeatable; a single major or a range)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Images whose tag major must match the client: repository suffix -> engine flavour.
var engineImages = map[string]string{
	"elasticsearch/elasticsearch": "elasticsearch",
	"opensearchproject/opensearch": "opensearch",
}

// Settings whose value is a folder the service writes into.
var writtenSettings = []string{"HAVEN_DATA_DIR", "PROMETHEUS_MULTIPROC_DIR"}

type majorRange struct{ low, high int }

type engineFlag map[string]majorRange

func (e engineFlag) String() string { return fmt.Sprint(map[string]majorRange(e)) }

func (e engineFlag) Set(value string) error {
	flavour, span, ok := strings.Cut(value, "=")
	if !ok {
		return fmt.Errorf("want FLAVOUR=MAJOR or FLAVOUR=LOW-HIGH, got %q", value)
	}
	lowText, highText, isRange := strings.Cut(span, "-")
	if !isRange {
		highText = lowText
	}
	low, err1 := strconv.Atoi(lowText)
	high, err2 := strconv.Atoi(highText)
	if err1 != nil || err2 != nil || low > high {
		return fmt.Errorf("bad major version range %q", span)
	}
	e[flavour] = majorRange{low, high}
	return nil
}

func main() {
	writes := flag.String("writes", "", "comma-separated paths Haven services write at start-up")
	engines := engineFlag{}
	flag.Var(engines, "engine", "FLAVOUR=MAJOR[-MAJOR]: engine image majors the client speaks")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: composecheck [-writes PATHS] [-engine FLAVOUR=MAJORS]... FILE [PROFILE...]")
	}
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{flag.Arg(0)},
		cli.WithOsEnv,
		cli.WithProfiles(flag.Args()[1:]),
		cli.WithName("haven"),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var problems []string
	var paths []string
	if *writes != "" {
		paths = strings.Split(*writes, ",")
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		problems = append(problems, unwritable(name, service, paths)...)
		problems = append(problems, engineMismatch(name, service, engines)...)
	}
	if len(problems) > 0 {
		for _, problem := range problems {
			fmt.Fprintln(os.Stderr, problem)
		}
		os.Exit(1)
	}
	fmt.Printf("valid: %d services: %s\n", len(names), strings.Join(project.ServiceNames(), ", "))
}

// isHaven tells whether a service runs the Haven image (built from deploy/Dockerfile or tagged haven).
func isHaven(service types.ServiceConfig) bool {
	if service.Build != nil && strings.HasSuffix(service.Build.Dockerfile, "deploy/Dockerfile") {
		return true
	}
	return service.Image == "haven" || strings.HasPrefix(service.Image, "haven:")
}

// unwritable lists the start-up write paths of a read-only Haven service that no volume or tmpfs covers.
func unwritable(name string, service types.ServiceConfig, paths []string) []string {
	if !service.ReadOnly || !isHaven(service) {
		return nil
	}
	wanted := append([]string{}, paths...)
	for _, setting := range writtenSettings {
		if value, ok := service.Environment[setting]; ok && value != nil && *value != "" {
			wanted = append(wanted, *value)
		}
	}
	var mounts []string
	for _, volume := range service.Volumes {
		if !volume.ReadOnly {
			mounts = append(mounts, volume.Target)
		}
	}
	for _, entry := range service.Tmpfs {
		target, _, _ := strings.Cut(entry, ":")
		mounts = append(mounts, target)
	}
	var problems []string
	for _, path := range wanted {
		if !covered(path, mounts) {
			problems = append(problems, fmt.Sprintf(
				"service %s: read_only, but it writes %s at start-up and no volume or tmpfs is mounted there", name, path))
		}
	}
	return problems
}

func covered(path string, mounts []string) bool {
	clean := strings.TrimRight(path, "/")
	for _, mount := range mounts {
		mount = strings.TrimRight(mount, "/")
		if clean == mount || strings.HasPrefix(clean, mount+"/") {
			return true
		}
	}
	return false
}

// engineMismatch names an engine image whose major version the installed client does not speak.
func engineMismatch(name string, service types.ServiceConfig, engines engineFlag) []string {
	repository, tag, found := strings.Cut(service.Image, ":")
	if !found {
		return nil
	}
	for suffix, flavour := range engineImages {
		if !strings.HasSuffix(repository, suffix) {
			continue
		}
		allowed, checked := engines[flavour]
		if !checked {
			return nil
		}
		major, err := strconv.Atoi(strings.SplitN(tag, ".", 2)[0])
		if err != nil {
			return []string{fmt.Sprintf("service %s: image %s has no numeric version tag", name, service.Image)}
		}
		if major < allowed.low || major > allowed.high {
			return []string{fmt.Sprintf("service %s: image %s is %s %d, but the installed client speaks %s",
				name, service.Image, flavour, major, describe(allowed))}
		}
	}
	return nil
}

func describe(span majorRange) string {
	if span.low == span.high {
		return fmt.Sprintf("major %d only", span.low)
	}
	return fmt.Sprintf("majors %d to %d", span.low, span.high)
}

package examples

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/chatgpt-optout/chatgpt-optout/fleet"
)

// manifest is one decoded document of a Kubernetes manifest file.
type manifest struct {
	Kind string
	Obj  any
	Line int // where the document starts
}

// decodeStrict decodes every document of a manifest file into its
// k8s.io/api type, failing on an unknown or duplicate field, an unknown
// kind or a wrong value type, like `kubectl apply --validate=strict`.
func decodeStrict(data []byte) ([]manifest, error) {
	var out []manifest
	line := 1
	for _, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		start := line
		line += strings.Count(doc, "\n")
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var tm struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			return nil, fmt.Errorf("document at line %d: %v", start, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "batch/v1 CronJob":
			obj = &batchv1.CronJob{}
		case "batch/v1 Job":
			obj = &batchv1.Job{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		default:
			return nil, fmt.Errorf("document at line %d: kind %q of apiVersion %q is not one this test knows", start, tm.Kind, tm.APIVersion)
		}
		// As the API server decodes: field names match case-sensitively,
		// and an unknown or duplicate field is an error naming its path.
		js, err := yaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("%s at line %d: %v", tm.Kind, start, err)
		}
		strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
		if err == nil && len(strict) > 0 {
			err = errors.Join(strict...)
		}
		if err != nil {
			return nil, fmt.Errorf("%s at line %d: %v", tm.Kind, start, err)
		}
		out = append(out, manifest{Kind: tm.Kind, Obj: obj, Line: start})
	}
	return out, nil
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var shardArg = regexp.MustCompile(`^--shard[= ]\$\(JOB_COMPLETION_INDEX\)/(\d+)$`)

// checkCronJob checks what the manifest promises beyond its schema: an
// Indexed Job of as many completions as the --shard total its pods pass,
// pods that run the image as the image's user, and an accounts file whose
// variables are all in the Secret.
func checkCronJob(ms []manifest) error {
	var (
		cron       *batchv1.CronJob
		accounts   = map[string]string{} // ConfigMap name → accounts.yaml
		secretKeys = map[string]map[string]bool{}
	)
	for _, m := range ms {
		switch o := m.Obj.(type) {
		case *batchv1.CronJob:
			cron = o
		case *corev1.ConfigMap:
			if a, ok := o.Data["accounts.yaml"]; ok {
				accounts[o.Name] = a
			}
		case *corev1.Secret:
			keys := map[string]bool{}
			for k := range o.StringData {
				keys[k] = true
			}
			for k := range o.Data {
				keys[k] = true
			}
			secretKeys[o.Name] = keys
		}
	}
	if cron == nil {
		return fmt.Errorf("no CronJob")
	}
	job := cron.Spec.JobTemplate.Spec
	if job.CompletionMode == nil || *job.CompletionMode != batchv1.IndexedCompletion {
		return fmt.Errorf("the Job is not Indexed (completionMode %v)", job.CompletionMode)
	}
	if job.Completions == nil {
		return fmt.Errorf("the Indexed Job has no completions")
	}
	pod := job.Template.Spec
	if len(pod.Containers) != 1 {
		return fmt.Errorf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image == "" || strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image, "chatgpt-optout") {
		return fmt.Errorf("image %q: want the chatgpt-optout image at a pinned tag", c.Image)
	}
	shards := 0
	for _, a := range c.Args {
		if m := shardArg.FindStringSubmatch(a); m != nil {
			shards, _ = strconv.Atoi(m[1])
		}
	}
	if shards == 0 {
		return fmt.Errorf("the container's args %q pass no --shard=$(JOB_COMPLETION_INDEX)/N", c.Args)
	}
	if int(*job.Completions) != shards {
		return fmt.Errorf("the Indexed Job has %d completions but its pods pass --shard …/%d: every shard must be one completion index", *job.Completions, shards)
	}
	if job.Parallelism != nil && *job.Parallelism > *job.Completions {
		return fmt.Errorf("parallelism %d is more than the %d completions", *job.Parallelism, *job.Completions)
	}
	indexFromAnnotation := false
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
			e.ValueFrom.FieldRef.FieldPath == "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
			indexFromAnnotation = true
		}
	}
	if !indexFromAnnotation {
		return fmt.Errorf("JOB_COMPLETION_INDEX is not declared from the completion-index annotation, so $(JOB_COMPLETION_INDEX) in args would not expand")
	}
	if env["HOME"] != "/tmp" || env["TMPDIR"] != "/tmp" {
		return fmt.Errorf("HOME %q and TMPDIR %q: want both /tmp, the writable emptyDir", env["HOME"], env["TMPDIR"])
	}
	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		return fmt.Errorf("the pod does not run as a non-root user")
	}
	tmpMounted := false
	for _, vm := range c.VolumeMounts {
		tmpMounted = tmpMounted || vm.MountPath == "/tmp"
	}
	if sc := c.SecurityContext; sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem && !tmpMounted {
		return fmt.Errorf("a read-only root filesystem and no volume on /tmp: Chrome has nowhere to write")
	}
	// The accounts file, where the args point at it, is one the tool
	// accepts, and its variables come from the Secret.
	var secrets map[string]bool
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil {
			secrets = secretKeys[ef.SecretRef.Name]
		}
	}
	for _, v := range pod.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		data, ok := accounts[v.ConfigMap.Name]
		if !ok {
			continue
		}
		specs, err := fleet.ParseAccounts([]byte(data), "ConfigMap "+v.ConfigMap.Name)
		if err != nil {
			return err
		}
		for _, s := range specs {
			for _, name := range []string{s.PasswordEnv, s.TOTPSecretEnv, s.SessionTokenEnv, s.IMAPURLEnv, s.IMAPPasswordEnv} {
				if name != "" && !secrets[name] {
					return fmt.Errorf("account %q names variable %s, which the Secret does not hold", s.Name, name)
				}
			}
		}
	}
	return nil
}

func TestKubernetesCronJob_DecodesStrictlyAndShardsMatch(t *testing.T) {
	ms, err := decodeStrict(readFile(t, "kubernetes-cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range ms {
		kinds[m.Kind]++
	}
	if kinds["CronJob"] != 1 || kinds["ConfigMap"] != 1 || kinds["Secret"] != 1 {
		t.Errorf("kinds %v", kinds)
	}
	if err := checkCronJob(ms); err != nil {
		t.Error(err)
	}
}

// TestKubernetesCronJob_CheckFailsOnABrokenManifest makes sure the checks
// above can fail: each edit of the manifest must be caught.
func TestKubernetesCronJob_CheckFailsOnABrokenManifest(t *testing.T) {
	good := readFile(t, "kubernetes-cronjob.yaml")
	for _, tt := range []struct{ name, old, new, want string }{
		{"misspelt Job field", "completionMode: Indexed", "completionMod: Indexed", `unknown field "spec.jobTemplate.spec.completionMod"`},
		{"misspelt container field", "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", `unknown field "spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem"`},
		{"misspelt top-level field", "\nstringData:", "\nstringdata:", `unknown field "stringdata"`},
		{"wrong value type", "parallelism: 4", "parallelism: four", "parallelism"},
		{"completions not the shard total", "completions: 4", "completions: 3", "3 completions but its pods pass --shard …/4"},
		{"shard total not the completions", "--shard=$(JOB_COMPLETION_INDEX)/4", "--shard=$(JOB_COMPLETION_INDEX)/5", "4 completions but its pods pass --shard …/5"},
		{"not indexed", "completionMode: Indexed", "completionMode: NonIndexed", "not Indexed"},
		{"latest image", "image: registry.example.com/chatgpt-optout:VERSION", "image: registry.example.com/chatgpt-optout:latest", "pinned tag"},
		{"variable missing from the Secret", "BOB_PASSWORD: \"change-me\"", "BOBBY_PASSWORD: \"change-me\"", "BOB_PASSWORD"},
		{"inline secret in the accounts file", "password_env: BOB_PASSWORD", "password: hunter2", "password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(good, []byte(tt.old)) {
				t.Fatalf("the manifest has no %q any more: update the test", tt.old)
			}
			bad := bytes.Replace(good, []byte(tt.old), []byte(tt.new), 1)
			ms, err := decodeStrict(bad)
			if err == nil {
				err = checkCronJob(ms)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// instruction is one Dockerfile instruction, its continuation lines
// joined.
type instruction struct {
	Cmd, Args string
	Line      int
}

func parseDockerfile(data string) []instruction {
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, l := range strings.Split(data, "\n") {
		t := strings.TrimSpace(l)
		if cur.Len() == 0 && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		} else if strings.HasPrefix(t, "#") {
			continue // a comment inside a continued instruction
		}
		if strings.HasSuffix(t, `\`) {
			cur.WriteString(strings.TrimSuffix(t, `\`) + " ")
			continue
		}
		cur.WriteString(t)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: start})
		cur.Reset()
	}
	return out
}

// goVersion is the go line of go.mod.
func goVersion(t *testing.T) string {
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(readFile(t, "../go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return string(m[1])
}

// checkDockerfile checks that the Dockerfile builds this checkout from
// source with a pinned Go, and ships a non-root image with Chromium whose
// HOME and TMPDIR are /tmp.
func checkDockerfile(data, goVer string) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if strings.Contains(data, "@latest") {
		fail("it names @latest: pin versions")
	}
	ins := parseDockerfile(data)
	var stages [][]instruction
	for _, in := range ins {
		if in.Cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) < 2 {
		return append(problems, fmt.Sprintf("%d stages: want a Go build stage and the image", len(stages)))
	}
	image := func(from string) string {
		for _, f := range strings.Fields(from) {
			if !strings.HasPrefix(f, "--") {
				return f
			}
		}
		return ""
	}
	goStage := -1
	for i, st := range stages {
		img := image(st[0].Args)
		name, tag, _ := strings.Cut(img, ":")
		if tag == "" || tag == "latest" {
			fail("line %d: FROM %s is not pinned by a tag", st[0].Line, img)
		}
		if name == "golang" {
			goStage = i
			if !strings.HasPrefix(tag, goVer+"-") && tag != goVer {
				fail("line %d: the Go image %s is not the Go of go.mod (%s)", st[0].Line, img, goVer)
			}
		}
	}
	if goStage < 0 {
		return append(problems, "no golang build stage")
	}
	copiesSource, builds := false, false
	for _, in := range stages[goStage] {
		args := strings.Fields(in.Args)
		if in.Cmd == "COPY" && len(args) == 2 && args[0] == "." {
			copiesSource = true
		}
		if in.Cmd == "RUN" {
			if regexp.MustCompile(`go install \S+@`).MatchString(in.Args) && !regexp.MustCompile(`go install \S+@v\d+\.\d+\.\d+`).MatchString(in.Args) {
				fail("line %d: an unpinned go install", in.Line)
			}
			if strings.Contains(in.Args, "go install") && !strings.Contains(in.Args, "@v") {
				fail("line %d: go install of something not pinned", in.Line)
			}
			if strings.Contains(in.Args, "go build") {
				builds = true
				for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=", "./cmd/chatgpt-optout"} {
					if !strings.Contains(in.Args, want) {
						fail("line %d: the go build has no %s", in.Line, want)
					}
				}
			}
		}
	}
	if !copiesSource {
		fail("the Go stage does not COPY . (the checkout) in")
	}
	if !builds {
		fail("the Go stage does not go build ./cmd/chatgpt-optout")
	}
	final := stages[len(stages)-1]
	var (
		user, entrypoint string
		env              = map[string]string{}
		installs, copied bool
	)
	for _, in := range final {
		switch in.Cmd {
		case "USER":
			user = in.Args
		case "ENTRYPOINT":
			entrypoint = in.Args
		case "ENV":
			for _, kv := range strings.Fields(in.Args) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					env[k] = v
				}
			}
		case "RUN":
			if strings.Contains(in.Args, "apt-get install") {
				for _, pkg := range []string{"chromium", "fonts-liberation", "fonts-noto-color-emoji", "ca-certificates"} {
					if !regexp.MustCompile(`\s` + regexp.QuoteMeta(pkg) + `(\s|$)`).MatchString(in.Args) {
						fail("line %d: apt-get install has no %s", in.Line, pkg)
					}
				}
				installs = true
			}
		case "COPY":
			copied = copied || (strings.Contains(in.Args, "--from=") && strings.Contains(in.Args, "chatgpt-optout"))
		}
	}
	if !installs {
		fail("the image installs no Chromium (apt-get install chromium)")
	}
	if !copied {
		fail("the image does not COPY the binary from the build stage")
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		fail("USER %q: want a numeric non-root user (Kubernetes' runAsNonRoot checks a number)", user)
	}
	if env["HOME"] != "/tmp" || env["TMPDIR"] != "/tmp" {
		fail("ENV HOME=%q TMPDIR=%q: want both /tmp", env["HOME"], env["TMPDIR"])
	}
	if !strings.Contains(entrypoint, "chatgpt-optout") {
		fail("ENTRYPOINT %q does not run chatgpt-optout", entrypoint)
	}
	return problems
}

func TestDockerfile_BuildsThisCheckout(t *testing.T) {
	if problems := checkDockerfile(string(readFile(t, "../Dockerfile")), goVersion(t)); len(problems) > 0 {
		t.Errorf("Dockerfile:\n%s", strings.Join(problems, "\n"))
	}
	if _, err := os.Stat("Dockerfile"); err == nil {
		t.Errorf("examples/Dockerfile is back: the image is the root Dockerfile")
	}
}

func TestDockerfile_CheckFailsOnABrokenDockerfile(t *testing.T) {
	good := string(readFile(t, "../Dockerfile"))
	for _, tt := range []struct{ name, old, new, want string }{
		{"go install @latest", "COPY . .", "RUN go install github.com/chatgpt-optout/chatgpt-optout/cmd/chatgpt-optout@latest", "@latest"},
		{"unpinned go image", "golang:1.26.8-trixie", "golang:latest", "not pinned"},
		{"go image of another Go", "golang:1.26.8-trixie", "golang:1.25-trixie", "not the Go of go.mod"},
		{"no source", "COPY . .", "COPY go.mod .", "does not COPY ."},
		{"root user", "USER 10001:10001", "USER root", "non-root"},
		{"no HOME", "ENV HOME=/tmp", "ENV HOME=/home/optout", "HOME"},
		{"cgo", "CGO_ENABLED=0", "CGO_ENABLED=1", "CGO_ENABLED=0"},
		{"no emoji font", "fonts-noto-color-emoji", "", "fonts-noto-color-emoji"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("the Dockerfile has no %q any more: update the test", tt.old)
			}
			problems := checkDockerfile(strings.Replace(good, tt.old, tt.new, 1), goVersion(t))
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q, want one saying %q", problems, tt.want)
			}
		})
	}
}

// ignored reports whether a .dockerignore pattern list leaves name out of
// the build context (the patterns of this repository's file: paths from
// the root, ** for any folder, a folder's pattern covering what is in it).
func ignored(patterns []string, name string) bool {
	out := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/")
		p = strings.TrimSuffix(p, "/")
		match := false
		for dir := name; dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
			if ok, _ := path.Match(p, dir); ok {
				match = true
			}
			if rest, ok := strings.CutPrefix(p, "**/"); ok {
				if ok, _ := path.Match(rest, path.Base(dir)); ok {
					match = true
				}
			}
		}
		if match {
			out = !neg
		}
	}
	return out
}

func TestDockerignore_KeepsTheSourceAndDropsTheRest(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(string(readFile(t, "../.dockerignore")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, keep := range []string{"go.mod", "go.sum", "cmd/chatgpt-optout/main.go", "selectors/selectors.yaml", "automation/probe.js", "fleet/report.go", "simulator"} {
		if ignored(patterns, keep) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", keep)
		}
	}
	for _, drop := range []string{".git/HEAD", ".env", "cmd/chatgpt-optout/.env", "chatgpt-optout", "dist/x", "alice.state.json", "profiles/alice/Default"} {
		if !ignored(patterns, drop) {
			t.Errorf(".dockerignore keeps %s in the build context", drop)
		}
	}
}

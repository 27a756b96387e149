package preview_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/internal/stacktest"
	"secalerts/preview"
)

// hub is the example hub stack and its preview (run once per test binary).
func hub(t *testing.T) (preview.Stack, []preview.Resource) {
	t.Helper()
	st, err := preview.LoadStackFile(stacktest.Path(t, stacktest.HubFile))
	if err != nil {
		t.Fatal(err)
	}
	return st, stacktest.Preview(t, stacktest.HubFile)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const ciphertext = "v1:AAAAAAAAAAAAAAAA:not-a-real-ciphertext"

func TestLoadStackFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Pulumi.yaml"), "name: secalerts\nruntime: go\n")
	write(t, filepath.Join(dir, "Pulumi.dev.yaml"), `config:
  pulumi:disable-default-providers: [aws]
  role: member
  pulumi:example: 30
  member:
    secure: `+ciphertext+`
  aws:assumeRole:
    retries: 30
    externalId:
      secure: `+ciphertext+`
    list: [a, b]
`)
	st, err := preview.LoadStackFile(filepath.Join(dir, "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Project != "secalerts" || st.Name != "dev" {
		t.Errorf("project/stack = %s/%s, want secalerts/dev", st.Project, st.Name)
	}
	for key, want := range map[string]string{
		"secalerts:role":                   "member",
		"pulumi:example":                   "30",
		"pulumi:disable-default-providers": `["aws"]`,
		"secalerts:member":                 preview.SecretPlaceholder,
	} {
		if got, ok := st.Config[key]; !ok || got != want {
			t.Errorf("Config[%s] = %q (set %v), want %q", key, got, ok, want)
		}
	}
	for _, k := range []string{"role", "member", "secalerts:aws:assumeRole"} {
		if _, ok := st.Config[k]; ok {
			t.Errorf("Config has %q: keys must be namespaced as the CLI passes them", k)
		}
	}
	var ar struct {
		Retries    any
		ExternalID string
		List       []string
	}
	if err := json.Unmarshal([]byte(st.Config["aws:assumeRole"]), &ar); err != nil {
		t.Fatalf("aws:assumeRole is not JSON: %v: %s", err, st.Config["aws:assumeRole"])
	}
	if ar.Retries != float64(30) {
		t.Errorf("aws:assumeRole.retries = %#v, want the number 30 (objects keep YAML types)", ar.Retries)
	}
	if ar.ExternalID != preview.SecretPlaceholder || !slices.Equal(ar.List, []string{"a", "b"}) {
		t.Errorf("aws:assumeRole = %+v, want externalId replaced by SecretPlaceholder and the list kept", ar)
	}
	slices.Sort(st.SecretKeys)
	if want := []string{"aws:assumeRole", "secalerts:member"}; !slices.Equal(st.SecretKeys, want) {
		t.Errorf("SecretKeys = %v, want %v", st.SecretKeys, want)
	}
	for k, v := range st.Config {
		if strings.Contains(v, ciphertext) {
			t.Errorf("Config[%s] holds the ciphertext: %s", k, v)
		}
	}
	keys, known := st.Keys()
	if want := []string{"aws:assumeRole", "pulumi:disable-default-providers", "pulumi:example", "secalerts:member", "secalerts:role"}; !known || !slices.Equal(keys, want) {
		t.Errorf("Keys() = %v, %v; want %v, true", keys, known, want)
	}
}

func TestLoadStackFileErrors(t *testing.T) {
	withProject := t.TempDir()
	write(t, filepath.Join(withProject, "Pulumi.yaml"), "name: proj\nruntime: go\n")
	good := "config:\n  role: hub\n"
	for _, name := range []string{"hub.yaml", "Pulumi.hub.json", "Pulumi..yaml", "stack.Pulumi.yaml"} {
		write(t, filepath.Join(withProject, name), good)
	}
	noProject := t.TempDir()
	write(t, filepath.Join(noProject, "Pulumi.dev.yaml"), good)
	badYAML := t.TempDir()
	write(t, filepath.Join(badYAML, "Pulumi.yaml"), "name: proj\n")
	write(t, filepath.Join(badYAML, "Pulumi.dev.yaml"), "config: [unclosed\n")

	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(withProject, "hub.yaml"), "Pulumi.<stack>.yaml"},
		{filepath.Join(withProject, "Pulumi.hub.json"), "Pulumi.<stack>.yaml"},
		{filepath.Join(withProject, "Pulumi..yaml"), "Pulumi.<stack>.yaml"},
		{filepath.Join(withProject, "stack.Pulumi.yaml"), "Pulumi.<stack>.yaml"},
		// The project file is not a stack file.
		{filepath.Join(withProject, "Pulumi.yaml"), "Pulumi.<stack>.yaml"},
		{filepath.Join(noProject, "Pulumi.dev.yaml"), "project file"},
		{filepath.Join(withProject, "Pulumi.absent.yaml"), "Pulumi.absent.yaml"},
		{filepath.Join(badYAML, "Pulumi.dev.yaml"), "Pulumi.dev.yaml"},
	} {
		st, err := preview.LoadStackFile(tc.path)
		if err == nil {
			t.Errorf("LoadStackFile(%s) = %+v, want an error", tc.path, st)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadStackFile(%s) error %q does not mention %q", tc.path, err, tc.want)
		}
	}
}

// TestURNsCarryTheParentTypeChain runs a program with nested components and
// checks the URNs against the SDK's own URN arithmetic.
func TestURNsCarryTheParentTypeChain(t *testing.T) {
	st := preview.Stack{Project: "proj", Name: "dev", Config: map[string]string{}}
	program := func(ctx *pulumi.Context) error {
		var outer, inner struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource("proj:index:Outer", "outer", &outer); err != nil {
			return err
		}
		if err := ctx.RegisterComponentResource("proj:index:Inner", "inner", &inner, pulumi.Parent(&outer)); err != nil {
			return err
		}
		p, err := aws.NewProvider(ctx, "aws-eu-west-1", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
		if err != nil {
			return err
		}
		if _, err := sns.NewTopic(ctx, "deep", nil, pulumi.Parent(&inner), pulumi.Provider(p)); err != nil {
			return err
		}
		_, err = sns.NewTopic(ctx, "top", nil, pulumi.Provider(p))
		return err
	}
	rs, err := preview.Run(st, preview.Options{}, program)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"outer":         "proj:index:Outer",
		"inner":         "proj:index:Outer$proj:index:Inner",
		"deep":          "proj:index:Outer$proj:index:Inner$aws:sns/topic:Topic",
		"top":           "aws:sns/topic:Topic",
		"aws-eu-west-1": "pulumi:providers:aws",
	}
	byName := map[string]preview.Resource{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	for name, typ := range want {
		r, ok := byName[name]
		if !ok {
			t.Errorf("%s was not recorded", name)
			continue
		}
		urn := resource.URN(r.URN)
		if !urn.IsValid() || string(urn.QualifiedType()) != typ || urn.Name() != name || urn.Stack() != "dev" || urn.Project() != "proj" {
			t.Errorf("%s: URN %s, want stack dev, project proj, qualified type %s", name, r.URN, typ)
		}
	}
	// Children point at their parent's URN as recorded.
	if byName["deep"].Parent != byName["inner"].URN || byName["inner"].Parent != byName["outer"].URN {
		t.Errorf("parents: deep -> %s, inner -> %s", byName["deep"].Parent, byName["inner"].Parent)
	}
	if r := byName["deep"]; r.Region != "eu-west-1" || r.Account != "000000000000" {
		t.Errorf("deep: region %q account %q, want the provider's region and the stand-in account", r.Region, r.Account)
	}
}

func TestHubURNsAndParents(t *testing.T) {
	_, rs := hub(t)
	byURN := map[string]preview.Resource{}
	for _, r := range rs {
		if _, dup := byURN[r.URN]; dup {
			t.Errorf("two resources share URN %s", r.URN)
		}
		byURN[r.URN] = r
	}
	nested := 0
	for _, r := range rs {
		urn := resource.URN(r.URN)
		parent, ok := byURN[r.Parent]
		if !ok {
			if string(urn.QualifiedType()) != r.Type {
				t.Errorf("%s: top-level resource with qualified type %s", r.URN, urn.QualifiedType())
			}
			continue
		}
		nested++
		if want := string(resource.URN(parent.URN).QualifiedType()) + "$" + r.Type; string(urn.QualifiedType()) != want {
			t.Errorf("%s: qualified type %s, want %s", r.URN, urn.QualifiedType(), want)
		}
	}
	if nested == 0 {
		t.Error("no resource of the hub has a parent component")
	}
}

func TestHubResourcesUseTheHubProvider(t *testing.T) {
	_, rs := hub(t)
	custom := 0
	for _, r := range rs {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		custom++
		// Chatbot's API exists in four regions only; the hub's is not one.
		want := "us-east-1"
		if strings.HasPrefix(r.Type, "aws:chatbot/") {
			want = "us-east-2"
		}
		if r.Region != want || r.Account != "999999999999" {
			t.Errorf("%s %s: region %q account %q, want %s and 999999999999 (the provider's allowedAccountIds)",
				r.Type, r.Name, r.Region, r.Account, want)
		}
		if arn, _ := r.Outputs["arn"].(string); arn != "" && !strings.Contains(arn, ":999999999999:") {
			t.Errorf("%s %s: arn %s is not in the hub account", r.Type, r.Name, arn)
		}
	}
	if custom < 10 {
		t.Errorf("only %d custom resources in the hub preview", custom)
	}
}

func shuffled(rs []preview.Resource, seed int64) []preview.Resource {
	out := append([]preview.Resource(nil), rs...)
	rand.New(rand.NewSource(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// TestWriteTreeIsDeterministic feeds the writers the resources in other
// registration orders, which is what a second run of the engine gives.
func TestWriteTreeIsDeterministic(t *testing.T) {
	st, rs := hub(t)
	for name, write := range map[string]func(*bytes.Buffer, []preview.Resource) error{
		"tree": func(b *bytes.Buffer, rs []preview.Resource) error { return preview.WriteTree(b, st, rs) },
		"json": func(b *bytes.Buffer, rs []preview.Resource) error { return preview.WriteJSON(b, st, rs) },
	} {
		var first bytes.Buffer
		if err := write(&first, rs); err != nil {
			t.Fatal(err)
		}
		for seed := int64(1); seed <= 3; seed++ {
			var again bytes.Buffer
			if err := write(&again, shuffled(rs, seed)); err != nil {
				t.Fatal(err)
			}
			if again.String() != first.String() {
				t.Errorf("%s: output changes with registration order (seed %d)", name, seed)
			}
		}
	}
}

func TestWriteTreeShowsEveryResourceUnderItsParent(t *testing.T) {
	st, rs := hub(t)
	var b bytes.Buffer
	if err := preview.WriteTree(&b, st, rs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	depth := map[string]int{} // by "type name"
	for _, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if !strings.HasPrefix(trimmed, "+ ") || strings.HasPrefix(trimmed, "+ pulumi:pulumi:Stack") {
			continue
		}
		key := strings.SplitN(strings.TrimPrefix(trimmed, "+ "), "  [", 2)[0]
		depth[key] = len(l) - len(trimmed)
	}
	byURN := map[string]preview.Resource{}
	for _, r := range rs {
		byURN[r.URN] = r
	}
	for _, r := range rs {
		d, ok := depth[r.Type+" "+r.Name]
		if !ok {
			t.Errorf("%s %s is missing from the tree", r.Type, r.Name)
			continue
		}
		if p, ok := byURN[r.Parent]; ok && d != depth[p.Type+" "+p.Name]+2 {
			t.Errorf("%s %s is not indented under its parent %s", r.Type, r.Name, p.Name)
		}
	}
	if !strings.Contains(b.String(), "+ secalerts:index:HubAccount secalerts\n") {
		t.Error("the tree has no HubAccount component")
	}
}

func TestWriteJSONMasksSecretsWithoutTouchingTheResources(t *testing.T) {
	st := preview.Stack{Project: "proj", Name: "dev"}
	rs := []preview.Resource{{
		URN: "urn:pulumi:dev::proj::aws:cloudwatch/eventApiDestination:EventApiDestination::hook", Custom: true,
		Type: "aws:cloudwatch/eventApiDestination:EventApiDestination", Name: "hook",
		Inputs:       map[string]any{"invocationEndpoint": "https://hooks.example/secret-path", "name": "hook"},
		SecretInputs: []string{"invocationEndpoint"},
	}}
	var b bytes.Buffer
	if err := preview.WriteJSON(&b, st, rs); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "secret-path") {
		t.Errorf("the secret input is printed:\n%s", b.String())
	}
	var out struct {
		Steps []struct {
			NewState struct {
				Type   string
				Inputs map[string]any
			} `json:"newState"`
		}
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Steps) != 2 || out.Steps[0].NewState.Type != "pulumi:pulumi:Stack" ||
		out.Steps[1].NewState.Inputs["invocationEndpoint"] != "[secret]" || out.Steps[1].NewState.Inputs["name"] != "hook" {
		t.Errorf("steps = %+v", out.Steps)
	}
	if rs[0].Inputs["invocationEndpoint"] != "https://hooks.example/secret-path" {
		t.Error("WriteJSON changed the caller's resource")
	}
}

func TestHubSecretInputsAreMarked(t *testing.T) {
	_, rs := hub(t)
	found := false
	for _, r := range rs {
		if r.Type == "aws:ssm/parameter:Parameter" {
			found = true
			if !slices.Contains(r.SecretInputs, "value") {
				t.Errorf("%s: the webhook URL is not among the secret inputs %v", r.Name, r.SecretInputs)
			}
		}
	}
	if !found {
		t.Error("the example hub has no webhook parameter")
	}
}

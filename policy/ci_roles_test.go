package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"secalerts/names"
)

// The roles of deploy/ are what the GitHub workflows assume through OIDC.
// An operator creates them by hand from these files, so the files are held
// here to what the README promises: the preview role, which runs a pull
// request's code once a maintainer approves it, reads configuration and
// never a secret or data; each role trusts one protected environment only.
const (
	ciPreviewPermissions = "../deploy/ci-preview-permissions.json"
	ciPreviewTrust       = "../deploy/ci-preview-trust.json"
	ciDeployTrust        = "../deploy/ci-deploy-trust.json"

	githubIssuer = "token.actions.githubusercontent.com"
	ciRepo       = "acme-secops/secalerts"
)

// ciPlaceholders are the only blanks the files leave for the operator.
var ciPlaceholders = strings.NewReplacer("<ACCOUNT>", hub.ID, "<OWNER>/<REPO>", ciRepo)

// readCIDocument reads one file of deploy/ with its placeholders filled
// in, refusing any element outside keys: ParseDocument would drop an
// element it does not model (NotAction, NotResource), and the evaluator
// would then answer about a different policy than the one AWS enforces.
func readCIDocument(t *testing.T, path string, keys ...string) Document {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	filled := ciPlaceholders.Replace(string(raw))
	if m := regexp.MustCompile(`<[A-Z_]+>`).FindString(filled); m != "" {
		t.Fatalf("%s: placeholder %s is not one the README tells the operator to fill in", path, m)
	}
	var shape struct {
		Version   string
		Statement []map[string]json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(filled)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&shape); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, s := range shape.Statement {
		for k := range s {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: statement %d has element %q; this file may only use %v", path, i, k, keys)
			}
		}
	}
	d, err := ParseDocument(filled)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if d.Version != Version {
		t.Errorf("%s: Version %q, want %q", path, d.Version, Version)
	}
	sids := map[string]bool{}
	for _, s := range d.Statement {
		if s.Sid == "" || sids[s.Sid] {
			t.Errorf("%s: empty or duplicate Sid %q", path, s.Sid)
		}
		sids[s.Sid] = true
		if s.Effect != Allow && s.Effect != Deny {
			t.Errorf("%s: statement %q has Effect %q", path, s.Sid, s.Effect)
		}
		if len(s.Action) == 0 {
			t.Errorf("%s: statement %q has no Action", path, s.Sid)
		}
	}
	return d
}

func ciPreviewPolicy(t *testing.T) Document {
	t.Helper()
	return readCIDocument(t, ciPreviewPermissions, "Sid", "Effect", "Action", "Resource")
}

// onlyEffect keeps the statements of one effect: the Allow list alone must
// grant no secret either, so the Deny statements are a second wall, not the
// only one.
func onlyEffect(d Document, effect string) Document {
	out := Document{Version: d.Version}
	for _, s := range d.Statement {
		if s.Effect == effect {
			out.Statement = append(out.Statement, s)
		}
	}
	return out
}

// withEverythingAllowed is the permissions policy next to an allow-all
// policy on the same role, as if someone later attached ReadOnlyAccess or
// AdministratorAccess: within one account an explicit Deny in any identity
// policy wins (IAM User Guide, "Policy evaluation logic").
func withEverythingAllowed(d Document) Document {
	out := Document{Version: d.Version, Statement: slices.Clone(d.Statement)}
	out.Statement = append(out.Statement, Statement{Sid: "Everything", Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}})
	return out
}

var ciPreviewRole = Caller{AWS: hub.RoleARN("github-secalerts-preview")}

func TestCIPreviewPermissionsShape(t *testing.T) {
	d := ciPreviewPolicy(t)
	// Reads are named one by one: a wildcard such as events:Describe*
	// would take in DescribeConnection, ssm:Get* the parameters' values.
	read := regexp.MustCompile(`^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$`)
	allows := 0
	for _, s := range d.Statement {
		if s.Effect != Allow {
			continue
		}
		for _, a := range s.Action {
			allows++
			if !read.MatchString(a) {
				t.Errorf("statement %q allows %q: only Describe, Get and List actions, each named without wildcards", s.Sid, a)
			}
		}
	}
	if allows < 50 {
		t.Errorf("only %d allowed actions: the file no longer covers the stacks' resource types", allows)
	}
	// A managed policy holds 6,144 characters without whitespace, an
	// inline role policy 10,240 (IAM User Guide, "IAM and AWS STS
	// quotas"): the file fits either.
	if js, err := d.JSON(); err != nil || len(js) > 6144 {
		t.Errorf("compact policy has %d characters (err %v), over the 6,144 of a managed policy", len(js), err)
	}
}

// The reads a refreshed `pulumi preview` of the hub, member, log-archive and
// baseline stacks makes, on the ARNs those stacks create. A plain preview
// (what CI runs) reads none of them but the regions: it diffs the program
// against the state.
func TestCIPreviewRoleReadsTheStacksConfiguration(t *testing.T) {
	d := ciPreviewPolicy(t)
	hubKey := hub.ARN("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
	function := hub.ARN("lambda", "function:"+names.DeliveryFunction)
	reads := []struct{ action, resource string }{
		{"ec2:DescribeRegions", "*"},
		{"events:DescribeEventBus", hub.EventBusARN(names.Bus("acme"))},
		{"events:DescribeRule", hub.RuleARN(names.Bus("acme"), names.DeliverRule)},
		{"events:ListTargetsByRule", hub.RuleARN("", names.ForwardRule(1))},
		{"events:DescribeArchive", hub.ARN("events", "archive/"+names.Bus("acme"))},
		{"cloudcontrol:GetResource", "*"},
		{"cloudformation:DescribeType", "*"},
		{"sns:GetTopicAttributes", hub.TopicARN(names.EmailTopic("acme"))},
		{"sns:GetSubscriptionAttributes", hub.TopicARN(names.EmailTopic("acme")) + ":0f1e2d3c"},
		{"sqs:GetQueueAttributes", hub.QueueARN(names.BusDLQ)},
		{"lambda:GetFunction", function},
		{"lambda:GetPolicy", function},
		{"lambda:GetFunctionEventInvokeConfig", function},
		{"iam:GetRole", hub.RoleARN(names.DeliveryFunction)},
		{"iam:GetRolePolicy", hub.RoleARN(names.ChatbotRole)},
		{"iam:GetPolicy", hub.GlobalARN("iam", "policy/"+names.ChatbotGuardrail)},
		{"kms:DescribeKey", hubKey},
		{"kms:GetKeyPolicy", hubKey},
		{"kms:GetKeyRotationStatus", hubKey},
		{"logs:DescribeLogGroups", hub.LogGroupARN(names.DeliveryLogGroup)},
		{"cloudwatch:DescribeAlarms", hub.AlarmARN(names.DeliveryAlarm("errors"))},
		{"dynamodb:DescribeTable", hub.TableARN(names.StateTable)},
		{"chatbot:DescribeSlackChannelConfigurations", "*"},
		{"chatbot:GetMicrosoftTeamsChannelConfiguration", "*"},
		{"ssm:DescribeParameters", "*"},
		{"s3:GetBucketPolicy", names.S3BucketARN("aws", archiveBucket)},
		{"cloudtrail:DescribeTrails", "*"},
		{"config:DescribeConfigurationRecorders", "*"},
		{"guardduty:GetDetector", "*"},
		{"securityhub:DescribeHub", "*"},
		{"access-analyzer:GetAnalyzer", "*"},
	}
	for _, r := range reads {
		if !Allowed(d, rq(ciPreviewRole, r.action, r.resource, nil)) {
			t.Errorf("the preview role may not %s on %s", r.action, r.resource)
		}
	}
}

func TestCIPreviewRoleReadsNoSecretAndNoData(t *testing.T) {
	d := ciPreviewPolicy(t)
	parameter := hub.ParameterARN(names.WebhookParameter("acme", "pager"))
	hubKey := hub.ARN("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
	// Denied outright, so they stay refused whatever else is attached.
	denied := []struct{ action, resource string }{
		// Webhook URLs: SecureString parameters under /secalerts/.
		{"ssm:GetParameter", parameter},
		{"ssm:GetParameters", parameter},
		{"ssm:GetParametersByPath", hub.ParameterARN(names.ParameterPrefix + "acme")},
		{"ssm:GetParameterHistory", parameter},
		{"ssm:GetParameter", "arn:aws:ssm:*:*:parameter/secalerts/x"},
		// Anything encrypted with the hub key, directly or by re-encrypting
		// it under a key the caller controls.
		{"kms:Decrypt", hubKey},
		{"kms:ReEncryptFrom", hubKey},
		{"secretsmanager:GetSecretValue", hub.ARN("secretsmanager", "secret:anything-AbCdEf")},
		{"secretsmanager:BatchGetSecretValue", "*"},
		// API destinations are gone from secalerts; a connection still
		// holds the authorization of whoever made one.
		{"events:DescribeApiDestination", hub.ARN("events", "api-destination/x")},
		{"events:DescribeConnection", hub.ARN("events", "connection/x")},
		// Data: the archived logs, the function's state and logs, the
		// dead-letter queues' events.
		{"s3:GetObject", names.S3BucketARN("aws", archiveBucket) + "/AWSLogs/222222222222/CloudTrail/x.json.gz"},
		{"s3:GetObjectVersion", names.S3BucketARN("aws", archiveBucket) + "/AWSLogs/222222222222/CloudTrail/x.json.gz"},
		{"dynamodb:Scan", hub.TableARN(names.StateTable)},
		{"dynamodb:GetItem", hub.TableARN(names.StateTable)},
		{"sqs:ReceiveMessage", hub.QueueARN(names.BusDLQ)},
		{"logs:GetLogEvents", hub.LogGroupARN(names.DeliveryLogGroup)},
		{"logs:FilterLogEvents", hub.LogGroupARN(names.DeliveryLogGroup)},
		// Borrowing a stronger identity: a pull request controls the stack
		// file, and with it aws:assumeRole, which the program assumes; the
		// delivery function may decrypt what this role may not.
		{"sts:AssumeRole", hub.RoleARN("secalerts-deploy")},
		{"lambda:InvokeFunction", hub.ARN("lambda", "function:"+names.DeliveryFunction)},
	}
	// Never allowed: the Allow list is reads only.
	writes := []struct{ action, resource string }{
		{"events:PutRule", hub.RuleARN("", names.ForwardRule(1))},
		{"events:DisableRule", hub.RuleARN("", names.ForwardRule(1))},
		{"iam:PutRolePolicy", ciPreviewRole.AWS},
		{"kms:PutKeyPolicy", hubKey},
		{"ssm:PutParameter", parameter},
		{"lambda:UpdateFunctionCode", hub.ARN("lambda", "function:"+names.DeliveryFunction)},
	}
	for name, p := range map[string]Document{
		"the policy":                d,
		"its Allow statements only": onlyEffect(d, Allow),
		"it next to allow-all":      withEverythingAllowed(d),
	} {
		for _, r := range denied {
			if Allowed(p, rq(ciPreviewRole, r.action, r.resource, nil)) {
				t.Errorf("%s lets the preview role %s on %s", name, r.action, r.resource)
			}
		}
	}
	for _, r := range writes {
		if Allowed(d, rq(ciPreviewRole, r.action, r.resource, nil)) {
			t.Errorf("the policy lets the preview role %s on %s", r.action, r.resource)
		}
	}
	// Function configuration holds environment variables: only secalerts'
	// own functions are read, not the other workloads of the account.
	if Allowed(d, rq(ciPreviewRole, "lambda:GetFunction", hub.ARN("lambda", "function:payroll"), nil)) {
		t.Error("the preview role may read the configuration of a function that is not secalerts'")
	}
}

func TestCITrustPoliciesAdmitOneEnvironment(t *testing.T) {
	provider := hub.GlobalARN("iam", "oidc-provider/"+githubIssuer)
	github := Caller{Federated: provider}
	claims := func(sub, aud string) map[string]string {
		return ctxOf(githubIssuer+":sub", sub, githubIssuer+":aud", aud)
	}
	for _, c := range []struct {
		file, environment string
	}{
		{ciPreviewTrust, "preview"},
		{ciDeployTrust, "hub-production"},
	} {
		d := readCIDocument(t, c.file, "Sid", "Effect", "Principal", "Action", "Condition")
		other := map[string]string{"preview": "hub-production", "hub-production": "preview"}[c.environment]
		own := "repo:" + ciRepo + ":environment:" + c.environment
		assume := func(who Caller, ctx map[string]string) Request {
			return rq(who, "sts:AssumeRoleWithWebIdentity", "", ctx)
		}
		runAllowCases(t, d, []allowCase{
			{c.environment + ": a job of the environment", assume(github, claims(own, "sts.amazonaws.com")), true},
			{c.environment + ": a pull-request job outside it", assume(github, claims("repo:"+ciRepo+":pull_request", "sts.amazonaws.com")), false},
			{c.environment + ": a push to main outside it", assume(github, claims("repo:"+ciRepo+":ref:refs/heads/main", "sts.amazonaws.com")), false},
			{c.environment + ": the other environment", assume(github, claims("repo:"+ciRepo+":environment:"+other, "sts.amazonaws.com")), false},
			{c.environment + ": a look-alike environment", assume(github, claims(own+"-x", "sts.amazonaws.com")), false},
			{c.environment + ": a fork's repository", assume(github, claims("repo:mallory/secalerts:environment:"+c.environment, "sts.amazonaws.com")), false},
			{c.environment + ": another audience", assume(github, claims(own, "https://github.com/"+ciRepo)), false},
			{c.environment + ": no claims", assume(github, nil), false},
			{c.environment + ": another identity provider", assume(Caller{Federated: hub.GlobalARN("iam", "oidc-provider/gitlab.com")}, claims(own, "sts.amazonaws.com")), false},
			{c.environment + ": an identity of the account", assume(Caller{AWS: hub.RoleARN("admin")}, claims(own, "sts.amazonaws.com")), false},
		})
	}
}

// The trust policies name environments, the workflows put jobs in them:
// a job that may ask GitHub for an OIDC token, or reads a secret, runs in
// the environment a trust policy names, so it waits for that
// environment's reviewers. Everything else in the two workflows has
// neither. (release.yml is not held to this: it assumes no AWS role.)
func TestCIWorkflowsKeepCredentialsInProtectedEnvironments(t *testing.T) {
	type job struct {
		Environment any               `yaml:"environment"`
		Permissions map[string]string `yaml:"permissions"`
	}
	secret := regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z_]+)`)
	for file, envs := range map[string][]string{
		"../.github/workflows/pr.yml":     {"preview"},
		"../.github/workflows/deploy.yml": {"hub-production"},
	} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			On          map[string]any    `yaml:"on"`
			Permissions map[string]string `yaml:"permissions"`
			Jobs        map[string]yaml.Node
		}
		if err := yaml.Unmarshal(raw, &wf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(wf.On) == 0 || len(wf.Jobs) == 0 {
			t.Fatalf("%s: no triggers or no jobs read", file)
		}
		for _, dangerous := range []string{"pull_request_target", "workflow_run", "workflow_dispatch", "issue_comment"} {
			if _, ok := wf.On[dangerous]; ok {
				t.Errorf("%s runs on %s", file, dangerous)
			}
		}
		if len(wf.Permissions) != 1 || wf.Permissions["contents"] != "read" {
			t.Errorf("%s: workflow permissions %v, want contents: read only", file, wf.Permissions)
		}
		for name, node := range wf.Jobs {
			var j job
			if err := node.Decode(&j); err != nil {
				t.Fatalf("%s: job %s: %v", file, name, err)
			}
			text, err := yaml.Marshal(&node)
			if err != nil {
				t.Fatal(err)
			}
			env, _ := j.Environment.(string)
			credentialed := j.Permissions["id-token"] == "write"
			for _, m := range secret.FindAllStringSubmatch(string(text), -1) {
				credentialed = credentialed || m[1] != "GITHUB_TOKEN"
			}
			switch {
			case credentialed && !slices.Contains(envs, env):
				t.Errorf("%s: job %s asks for an OIDC token or a secret outside the environments %v (environment %q)", file, name, envs, env)
			case !credentialed && env != "":
				t.Errorf("%s: job %s is in environment %q without using it: it would wait for a reviewer for nothing", file, name, env)
			}
		}
	}
}

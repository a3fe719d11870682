package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// awsCLI finds the AWS CLI v2: $QUILTQ_AWS_CLI, else /usr/bin/aws (Debian's
// package), else `aws` on PATH. A v1 CLI does not count. Without one the
// test skips, unless QUILTQ_REQUIRE_TOOLS is set (as CI sets it).
func awsCLI(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("QUILTQ_AWS_CLI"), "/usr/bin/aws"}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := exec.Command(c, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return c
		}
	}
	if os.Getenv("QUILTQ_REQUIRE_TOOLS") != "" {
		t.Fatal("the AWS CLI v2 is required (QUILTQ_REQUIRE_TOOLS is set) but was not found: apt-get install awscli")
	}
	t.Skip("the AWS CLI v2 is not installed (apt-get install awscli); skipping")
	return ""
}

// cli runs the AWS CLI against a sandbox as one user. Credentials go in the
// environment, never in arguments.
type cli struct {
	t    *testing.T
	bin  string
	env  []string
	base []string
}

func newCLI(t *testing.T, env *sandboxtest.Env, user string) *cli {
	bin := awsCLI(t)
	c := env.Credentials(t, user)
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte("[default]\ns3 =\n  addressing_style = path\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cli{
		t:   t,
		bin: bin,
		env: []string{
			"HOME=" + home, "PATH=" + os.Getenv("PATH"),
			"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken,
			"AWS_DEFAULT_REGION=" + env.Info.Region, "AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
			"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1",
		},
		base: []string{"--endpoint-url", env.Info.AWSEndpointURL, "--output", "json", "--no-cli-pager"},
	}
}

// run runs one CLI command and returns its stdout, failing on a non-zero exit.
func (c *cli) run(args ...string) []byte {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, append(append([]string{}, c.base...), args...)...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.run(args...)
	if err := json.Unmarshal(out, v); err != nil {
		c.t.Fatalf("aws %s: %v in %s", strings.Join(args, " "), err, out)
	}
}

// The AWS CLI v2, a real client of every protocol the sandbox speaks,
// works against it with credentials from get_credentials.
func TestAWSCLIAgainstSandbox(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	admin := newCLI(t, env, "admin")
	analyst := newCLI(t, env, "analyst")

	var id struct{ Arn, Account string }
	analyst.json(&id, "sts", "get-caller-identity")
	if id.Arn != analystARN || id.Account != "123456789012" {
		t.Errorf("sts get-caller-identity: got %s in %s, want %s", id.Arn, id.Account, analystARN)
	}

	var wgs struct{ WorkGroups []struct{ Name string } }
	analyst.json(&wgs, "athena", "list-work-groups")
	found := false
	for _, w := range wgs.WorkGroups {
		found = found || w.Name == workgroup
	}
	if !found {
		t.Errorf("athena list-work-groups: %+v lacks %s", wgs.WorkGroups, workgroup)
	}

	var start struct{ QueryExecutionId string }
	admin.json(&start, "athena", "start-query-execution", "--work-group", workgroup,
		"--query-string", `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" LIMIT 5`)
	var qe struct {
		QueryExecution struct {
			Status              struct{ State, StateChangeReason string }
			ResultConfiguration struct{ OutputLocation string }
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		admin.json(&qe, "athena", "get-query-execution", "--query-execution-id", start.QueryExecutionId)
		if s := qe.QueryExecution.Status.State; s != "QUEUED" && s != "RUNNING" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the query did not end in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if qe.QueryExecution.Status.State != "SUCCEEDED" {
		t.Fatalf("query ended %s: %s", qe.QueryExecution.Status.State, qe.QueryExecution.Status.StateChangeReason)
	}
	var results struct {
		ResultSet struct {
			Rows []struct {
				Data []struct{ VarCharValue *string }
			}
		}
	}
	admin.json(&results, "athena", "get-query-results", "--query-execution-id", start.QueryExecutionId)
	if got := len(results.ResultSet.Rows); got != 6 {
		t.Errorf("athena get-query-results: %d rows, want a header and 5", got)
	}

	var dbs struct{ DatabaseList []struct{ Name string } }
	admin.json(&dbs, "glue", "get-databases")
	if len(dbs.DatabaseList) == 0 {
		t.Error("glue get-databases listed nothing")
	}

	// s3 cp of the results file to stdout gives the bytes Athena wrote.
	csv := admin.run("s3", "cp", qe.QueryExecution.ResultConfiguration.OutputLocation, "-")
	lines := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], `"`) {
		t.Errorf("s3 cp of %s: got %d lines starting %q, want a quoted header and 5 rows", qe.QueryExecution.ResultConfiguration.OutputLocation, len(lines), firstLine(csv))
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

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

// fail runs one CLI command that must fail and returns its stderr.
func (c *cli) fail(args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, append(append([]string{}, c.base...), args...)...)
	cmd.Env = c.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		c.t.Fatalf("aws %s: succeeded, want a failure", strings.Join(args, " "))
	}
	return stderr.String()
}

// The AWS CLI v2 against the sandbox's S3: a file over the CLI's 8 MiB
// multipart threshold is uploaded in parts, and HEAD, the listing and the
// completion then agree on one multipart ETag; each part reads back by
// its number; conditional GET and HEAD fail as S3 fails them (412 for
// If-Match, 304 for If-None-Match), on ranged and whole reads alike.
func TestAWSCLIConditionalAndMultipart(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	admin := newCLI(t, env, "admin")
	dir := t.TempDir()
	const size = 9 << 20 // the CLI's default multipart_chunksize is 8 MiB
	data := make([]byte, size)
	for i := range data {
		data[i] = byte('a' + i%23)
	}
	src := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const bucket, key = "quilt-sandbox-bucket", "cli/big.bin"
	admin.run("s3", "cp", src, "s3://"+bucket+"/"+key)

	var head struct {
		ETag          string
		ContentLength int64
	}
	admin.json(&head, "s3api", "head-object", "--bucket", bucket, "--key", key)
	if !strings.HasSuffix(head.ETag, `-2"`) || head.ContentLength != size {
		t.Fatalf("head-object: ETag %s, %d bytes; want a two-part multipart ETag and %d bytes", head.ETag, head.ContentLength, size)
	}
	var list struct{ Contents []struct{ Key, ETag string } }
	admin.json(&list, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", key)
	if len(list.Contents) != 1 || list.Contents[0].ETag != head.ETag {
		t.Errorf("list-objects-v2: %+v, want %s with ETag %s", list.Contents, key, head.ETag)
	}
	var part struct {
		PartsCount    int
		ContentLength int64
		ContentRange  string
		ETag          string
	}
	admin.json(&part, "s3api", "get-object", "--bucket", bucket, "--key", key, "--part-number", "2", filepath.Join(dir, "part2"))
	got2, _ := os.ReadFile(filepath.Join(dir, "part2"))
	if part.PartsCount != 2 || part.ContentLength != 1<<20 || part.ETag != head.ETag || string(got2) != string(data[8<<20:]) {
		t.Errorf("get-object --part-number 2: %+v and %d bytes; want the last MiB of 2 parts", part, len(got2))
	}
	back := filepath.Join(dir, "back.bin")
	admin.run("s3", "cp", "s3://"+bucket+"/"+key, back)
	if got, _ := os.ReadFile(back); string(got) != string(data) {
		t.Errorf("s3 cp back: %d bytes differ from the %d uploaded", len(got), size)
	}

	// Conditions.
	var ok struct{ ETag string }
	admin.json(&ok, "s3api", "get-object", "--bucket", bucket, "--key", key, "--if-match", head.ETag, "--range", "bytes=0-9", filepath.Join(dir, "range"))
	if ok.ETag != head.ETag {
		t.Errorf("get-object --if-match (holds): ETag %s", ok.ETag)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"get-object", "--if-match", `"0123"`}, "PreconditionFailed"},
		{[]string{"get-object", "--if-match", `"0123"`, "--range", "bytes=0-9"}, "PreconditionFailed"},
		{[]string{"get-object", "--if-unmodified-since", "2000-01-01T00:00:00Z"}, "PreconditionFailed"},
		{[]string{"get-object", "--if-none-match", head.ETag}, "304"},
		{[]string{"head-object", "--if-match", `"0123"`}, "412"},
		{[]string{"head-object", "--if-none-match", head.ETag}, "304"},
	} {
		args := append([]string{"s3api"}, tt.args...)
		args = append(args, "--bucket", bucket, "--key", key)
		if tt.args[0] == "get-object" {
			args = append(args, filepath.Join(dir, "out"))
		}
		if stderr := admin.fail(args...); !strings.Contains(stderr, tt.want) {
			t.Errorf("aws %s: stderr %q lacks %q", strings.Join(tt.args, " "), stderr, tt.want)
		}
	}
}

// The AWS CLI v2 against the sandbox's Athena beyond the plain query: SQL
// that does not parse is refused by start-query-execution; execution
// parameters are filled in and echoed; a repeat with result reuse says it
// reused; the runtime statistics, engine versions and saved queries
// answer in the shapes the CLI's model reads.
func TestAWSCLIAthena(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	admin := newCLI(t, env, "admin")

	stderr := admin.fail("athena", "start-query-execution", "--work-group", workgroup, "--query-string", "SELECT * FORM sales.orders")
	for _, want := range []string{"InvalidRequestException", "line 1:10: mismatched input 'FORM'"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("a syntax error: stderr %q lacks %q", stderr, want)
		}
	}

	type execution struct {
		QueryExecution struct {
			Status              struct{ State, StateChangeReason string }
			ExecutionParameters []string
			Statistics          struct {
				DataScannedInBytes     int64
				ResultReuseInformation struct{ ReusedPreviousResult bool }
			}
		}
	}
	run := func() (string, execution) {
		var start struct{ QueryExecutionId string }
		admin.json(&start, "athena", "start-query-execution", "--work-group", workgroup,
			"--query-string", "SELECT order_id FROM sales.orders WHERE order_id = ?", "--execution-parameters", "100002",
			"--result-reuse-configuration", "ResultReuseByAgeConfiguration={Enabled=true,MaxAgeInMinutes=5}")
		var qe execution
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
		return start.QueryExecutionId, qe
	}
	first, qe := run()
	if got := qe.QueryExecution.ExecutionParameters; len(got) != 1 || got[0] != "100002" || qe.QueryExecution.Statistics.ResultReuseInformation.ReusedPreviousResult {
		t.Errorf("the first run: parameters %q, reused %v; want [100002], not reused", got, qe.QueryExecution.Statistics.ResultReuseInformation.ReusedPreviousResult)
	}
	if _, again := run(); !again.QueryExecution.Statistics.ResultReuseInformation.ReusedPreviousResult {
		t.Error("the repeat within five minutes was not reused")
	}

	var stats struct {
		QueryRuntimeStatistics struct {
			Timeline struct{ TotalExecutionTimeInMillis *int64 }
			Rows     struct{ InputBytes, OutputRows int64 }
		}
	}
	admin.json(&stats, "athena", "get-query-runtime-statistics", "--query-execution-id", first)
	if r := stats.QueryRuntimeStatistics.Rows; r.OutputRows != 1 || r.InputBytes != qe.QueryExecution.Statistics.DataScannedInBytes || stats.QueryRuntimeStatistics.Timeline.TotalExecutionTimeInMillis == nil {
		t.Errorf("get-query-runtime-statistics: %+v; want 1 row out and %d bytes in", stats, qe.QueryExecution.Statistics.DataScannedInBytes)
	}

	var versions struct {
		EngineVersions []struct{ SelectedEngineVersion string }
	}
	admin.json(&versions, "athena", "list-engine-versions")
	if len(versions.EngineVersions) == 0 || versions.EngineVersions[0].SelectedEngineVersion != "AUTO" {
		t.Errorf("list-engine-versions: %+v, want AUTO first", versions)
	}

	var made struct{ NamedQueryId string }
	admin.json(&made, "athena", "create-named-query", "--work-group", workgroup, "--name", "two",
		"--database", "sales", "--query-string", "SELECT 2")
	var got struct {
		NamedQuery struct{ Name, QueryString, WorkGroup string }
	}
	admin.json(&got, "athena", "get-named-query", "--named-query-id", made.NamedQueryId)
	if nq := got.NamedQuery; nq.Name != "two" || nq.QueryString != "SELECT 2" || nq.WorkGroup != workgroup {
		t.Errorf("get-named-query: %+v", nq)
	}
}

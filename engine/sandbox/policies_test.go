package sandbox_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// The roles and users the policy tests add to the default stack.
const (
	managedRole = "ReadQuiltV2-sales-prod-managed"
	boundedRole = "BoundedAdmin-sales-prod"
	adminRole   = "QuiltAdmin-sales-prod"
	userDB      = "userathenadatabase-k3v9q2m7xw1p"
	partnerAcct = "444455556666"
)

// policyStack is the default stack plus what the tests need of each policy
// type:
//   - the managed user, whose role has the admin's stack-wide identity
//     policy but whose credentials carry a session policy scoping S3 to
//     quilt-sandbox-bucket and the results bucket, and denying deletes;
//   - the bounded user, whose role has the same identity policy under a
//     permissions boundary that allows no Glue action and denies
//     s3:DeleteObject;
//   - a bucket policy on quilt-sandbox-bucket denying everyone the
//     customers table's objects, and one on nextflowtower letting the
//     reader's role read private/;
//   - two buckets of another account, one whose policy lets the admin's
//     role read it;
//   - an SSE_KMS workgroup whose key's policy lets only a KeyAdmin role
//     use it.
func policyStack(t *testing.T) *stack.Stack {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	var admin stack.Role
	for _, r := range st.Roles {
		if r.Name == adminRole {
			admin = r
		}
	}
	st.Roles = append(st.Roles,
		stack.Role{
			Name: managedRole, Buckets: []string{"quilt-sandbox-bucket"}, Policies: admin.Policies,
			SessionPolicies: []stack.Policy{{Name: "quilt-managed-buckets", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Action": ["athena:*", "glue:*", "lambda:InvokeFunction", "sts:GetCallerIdentity"], "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:*", "Resource": [
					"arn:aws:s3:::quilt-sandbox-bucket", "arn:aws:s3:::quilt-sandbox-bucket/*",
					"arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm", "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/*"]},
				{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`)}},
		},
		stack.Role{
			Name: boundedRole, Buckets: []string{"quilt-sandbox-bucket"}, Policies: admin.Policies,
			PermissionsBoundary: &stack.Policy{Name: "DataOnlyBoundary", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Action": ["athena:*", "s3:*", "lambda:*", "sts:*"], "Resource": "*"},
				{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`)},
		},
	)
	st.Users = append(st.Users,
		stack.User{Name: "managed", Email: "managed@example.com", Role: managedRole, Roles: []string{managedRole}},
		stack.User{Name: "bounded", Email: "bounded@example.com", Role: boundedRole, Roles: []string{boundedRole}},
	)
	// The reader's role is managed in the default stack; here it carries
	// no session policy, so that the bucket policy's Allow for it is seen
	// alone (TestBucketPolicy checks the managed case apart).
	for i := range st.Roles {
		if st.Roles[i].Name == "ReadOnlyQuilt" {
			st.Roles[i].Managed = false
		}
	}
	for i := range st.Buckets {
		b := &st.Buckets[i]
		switch b.Name {
		case "quilt-sandbox-bucket":
			b.Policy = stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Sid": "NoCustomerData", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
				 "Resource": "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/customers/*"}]}`)
		case "nextflowtower":
			b.Objects = append(b.Objects, stack.Object{Key: "private/run.csv", Body: "run,ok\n1,true\n"})
			b.Policy = stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Sid": "ReaderReadsPrivate", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ReadOnlyQuilt"},
				 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::nextflowtower/private/*"}]}`)
		}
	}
	st.Buckets = append(st.Buckets,
		stack.Bucket{Name: "partner-closed", AccountID: partnerAcct, Objects: []stack.Object{{Key: "share.csv", Body: "a\n1\n"}}},
		stack.Bucket{Name: "partner-open", AccountID: partnerAcct, Objects: []stack.Object{{Key: "share.csv", Body: "a\n1\n"}},
			Policy: stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/` + adminRole + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner-open/*"}]}`)},
	)
	st.KMSKeys = append(st.KMSKeys, stack.KMSKey{ID: "results-key", Policy: stack.Document(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}]}`)})
	st.Workgroups = append(st.Workgroups, stack.Workgroup{
		Name: "QuiltUserAthena-sales-prod-Encrypted", OutputLocation: "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/",
		Enforce: true, Encryption: "SSE_KMS", KMSKey: st.KMSKeyARN("results-key"),
	})
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	return st
}

// s3Client is an S3 client acting as user.
func s3Client(t *testing.T, env *sandboxtest.Env, user string) *s3.Client {
	return s3.NewFromConfig(env.AWSConfig(t, user), func(o *s3.Options) { o.UsePathStyle = true })
}

// apiMessage is the error code and message AWS returned.
func apiMessage(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("got %v, want an AWS API error", err)
	}
	return api.ErrorCode(), api.ErrorMessage()
}

// explained checks that engine/explain reads text as a refusal by
// policyType, explicit or not.
func explained(t *testing.T, text, policyType string, explicit bool) {
	t.Helper()
	d := explain.Parse(text)
	if !d.Denied || d.PolicyType != policyType || d.ExplicitDeny != explicit {
		t.Errorf("explain read %q as denied=%v policy_type=%q explicit=%v; want a %s refusal, explicit=%v",
			text, d.Denied, d.PolicyType, d.ExplicitDeny, policyType, explicit)
	}
}

// startIn starts sql in workgroup and waits for it to end.
func startIn(t *testing.T, client *athena.Client, workgroup, sql string) *athenatypes.QueryExecution {
	t.Helper()
	out, err := client.StartQueryExecution(sandboxtest.Context(t), &athena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String(workgroup)})
	if err != nil {
		t.Fatalf("StartQueryExecution(%q) in %s: %v", sql, workgroup, err)
	}
	return waitQuery(t, client, aws.ToString(out.QueryExecutionId))
}

// A managed user's credentials carry the role's session policy from the
// registry, and every call made with them is limited by it: S3 directly,
// and what Athena does with them.
func TestSessionPolicyLimitsManagedCredentials(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyStack(t)})
	ctx := sandboxtest.Context(t)
	managedARN := "arn:aws:sts::123456789012:assumed-role/" + managedRole + "/managed"
	cfg := env.AWSConfig(t, "managed")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != managedARN {
		t.Fatalf("GetCallerIdentity: %v, %v; want %s", id, err, managedARN)
	}

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("quilt-sandbox-bucket"), Key: aws.String("warehouse/sales/orders/orders-2024h1.csv")}); err != nil {
		t.Fatalf("inside the session policy: %v", err)
	}
	// The role's identity policy allows every bucket; the session policy
	// does not allow nextflowtower.
	_, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("private/run.csv")})
	code, msg := apiMessage(t, err)
	want := `User: ` + managedARN + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::nextflowtower/private/run.csv" because no session policy allows the s3:GetObject action`
	if code != "AccessDenied" || msg != want {
		t.Errorf("outside the session policy: got %s %q\nwant AccessDenied %q", code, msg, want)
	}
	explained(t, err.Error(), explain.PolicySession, false)

	_, err = s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quilt-sandbox-bucket"), Key: aws.String("warehouse/sales/orders/_SUCCESS")})
	_, msg = apiMessage(t, err)
	if want := `on resource: "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/orders/_SUCCESS" with an explicit deny in a session policy`; !strings.HasSuffix(msg, want) {
		t.Errorf("the session policy's Deny: got %q, want it to end %q", msg, want)
	}
	explained(t, err.Error(), explain.PolicySession, true)

	// Athena reads the data with the caller's credentials, so the session
	// policy limits the query too.
	client := athena.NewFromConfig(cfg)
	qe := runQuery(t, client, `SELECT count(*) FROM "`+userDB+`"."quilt-sandbox-bucket_packages"`)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Errorf("a table in the managed bucket: %s (%s), want SUCCEEDED", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	qe = runQuery(t, client, `SELECT count(*) FROM "`+userDB+`"."nextflowtower_packages"`)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, "because no session policy allows the s3:") {
		t.Errorf("a table in another bucket: %s (%s), want FAILED by the session policy", qe.Status.State, reason)
	}
	explained(t, reason, explain.PolicySession, false)

	// The same role's policies without the session policy (the admin's
	// credentials) read nextflowtower: it is the credentials that carry the
	// limit.
	if _, err := s3Client(t, env, "admin").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("private/run.csv")}); err != nil {
		t.Errorf("the admin's credentials: %v", err)
	}
}

// A role's permissions boundary limits what its identity policy grants,
// directly and through Athena.
func TestBoundaryLimitsRole(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyStack(t)})
	ctx := sandboxtest.Context(t)
	cfg := env.AWSConfig(t, "bounded")
	boundedARN := "arn:aws:sts::123456789012:assumed-role/" + boundedRole + "/bounded"

	_, err := glue.NewFromConfig(cfg).GetDatabases(ctx, &glue.GetDatabasesInput{})
	code, msg := apiMessage(t, err)
	want := "User: " + boundedARN + " is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no permissions boundary allows the glue:GetDatabases action"
	if code != "AccessDeniedException" || msg != want {
		t.Errorf("Glue under the boundary: got %s %q\nwant AccessDeniedException %q", code, msg, want)
	}
	explained(t, err.Error(), explain.PolicyBoundary, false)

	// Athena's Glue calls are the caller's, so the boundary refuses the
	// query's table lookup.
	client := athena.NewFromConfig(cfg)
	qe := runQuery(t, client, `SELECT count(*) FROM sales.orders`)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, "because no permissions boundary allows the glue:") {
		t.Errorf("a query under the boundary: %s (%s), want FAILED by the boundary", qe.Status.State, reason)
	}
	explained(t, reason, explain.PolicyBoundary, false)

	// What the boundary allows still works, but not what it denies; the
	// admin, with the same identity policy and no boundary, reads Glue.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("quilt-sandbox-bucket"), Key: aws.String("warehouse/sales/orders/orders-2024h1.csv")}); err != nil {
		t.Errorf("S3 within the boundary: %v", err)
	}
	_, err = s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quilt-sandbox-bucket"), Key: aws.String("warehouse/sales/orders/_SUCCESS")})
	_, msg = apiMessage(t, err)
	if want := `"arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/orders/_SUCCESS" with an explicit deny in a permissions boundary`; !strings.HasSuffix(msg, want) {
		t.Errorf("the boundary's Deny: got %q, want it to end %q", msg, want)
	}
	explained(t, err.Error(), explain.PolicyBoundary, true)
	if _, err := glue.NewFromConfig(env.AWSConfig(t, "admin")).GetDatabases(ctx, &glue.GetDatabasesInput{}); err != nil {
		t.Errorf("the admin's Glue call: %v", err)
	}
}

// A bucket policy's Deny refuses even the admin, whose identity policy
// allows everything; its Allow lets in a role whose own policies do not.
func TestBucketPolicy(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyStack(t)})
	ctx := sandboxtest.Context(t)
	adminARN := "arn:aws:sts::123456789012:assumed-role/" + adminRole + "/admin"
	admin := s3Client(t, env, "admin")

	_, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("quilt-sandbox-bucket"), Key: aws.String("warehouse/sales/customers/customers.csv")})
	code, msg := apiMessage(t, err)
	want := `User: ` + adminARN + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/customers/customers.csv" with an explicit deny in a resource-based policy`
	if code != "AccessDenied" || msg != want {
		t.Errorf("bucket policy Deny: got %s %q\nwant AccessDenied %q", code, msg, want)
	}
	explained(t, err.Error(), explain.PolicyResource, true)

	qe := runQuery(t, athena.NewFromConfig(env.AWSConfig(t, "admin")), `SELECT count(*) FROM sales.customers`)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, "with an explicit deny in a resource-based policy") {
		t.Errorf("a query over the denied prefix: %s (%s), want FAILED by the bucket policy", qe.Status.State, reason)
	}
	explained(t, reason, explain.PolicyResource, true)

	// The reader's role has no S3 right on nextflowtower; the bucket
	// policy names the role, which is enough within the account.
	if _, err := s3Client(t, env, "reader").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("private/run.csv")}); err != nil {
		t.Errorf("the bucket policy's Allow for the reader's role: %v", err)
	}
	// A role the bucket policy does not name reads what its own identity
	// policy allows (the analyst's covers all of nextflowtower).
	if _, err := s3Client(t, env, "analyst").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("private/run.csv")}); err != nil {
		t.Errorf("the analyst's identity policy: %v", err)
	}

	// When the role is a managed one, its credentials' session policy
	// still limits what a bucket policy naming the role (not the session)
	// grants (IAM User Guide, "Policies and permissions", session
	// policies).
	st := policyStack(t)
	for i := range st.Roles {
		if st.Roles[i].Name == "ReadOnlyQuilt" {
			st.Roles[i].Managed = true
		}
	}
	managed := sandboxtest.Start(t, sandbox.Options{Stack: st})
	_, err = s3Client(t, managed, "reader").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("private/run.csv")})
	if _, msg := apiMessage(t, err); !strings.HasSuffix(msg, "because no session policy allows the s3:GetObject action") {
		t.Errorf("the bucket policy's Allow for a managed role: %q, want the session policy's refusal", msg)
	}
}

// A bucket of another account answers the bare "Access Denied" unless its
// policy lets the caller in; the caller's identity policy alone is not
// enough.
func TestCrossAccountBucket(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyStack(t)})
	ctx := sandboxtest.Context(t)
	admin := s3Client(t, env, "admin")
	_, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("partner-closed"), Key: aws.String("share.csv")})
	if code, msg := apiMessage(t, err); code != "AccessDenied" || msg != "Access Denied" {
		t.Errorf("another account's bucket without a policy: got %s %q, want AccessDenied \"Access Denied\"", code, msg)
	}
	if _, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("partner-open"), Key: aws.String("share.csv")}); err != nil {
		t.Errorf("another account's bucket whose policy names the role: %v", err)
	}
	// Its policy names the admin's role only.
	if _, err := s3Client(t, env, "analyst").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("partner-open"), Key: aws.String("share.csv")}); err == nil {
		t.Error("the analyst read another account's bucket whose policy does not name its role")
	}
}

// A workgroup's KMS key is used with the caller's credentials, and its key
// policy must let the caller (or the account's IAM policies) use it.
func TestKeyPolicyOnEncryptedResults(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyStack(t)})
	client := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	const wg = "QuiltUserAthena-sales-prod-Encrypted"
	qe := startIn(t, client, wg, `SELECT 1`)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "Access denied when writing output to url") {
		t.Errorf("a key policy not naming the admin: %s (%s), want FAILED writing the output", qe.Status.State, reason)
	}
	// The key policy that lets the account's IAM policies decide (the
	// default one's root statement) lets the admin's policy work.
	st := env.Stack()
	if err := env.PutResourcePolicy(st.KMSKeyARN("results-key"), []byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::`+st.AccountID+`:root"}, "Action": "kms:*", "Resource": "*"}]}`)); err != nil {
		t.Fatal(err)
	}
	qe = startIn(t, client, wg, `SELECT 1`)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("with the account's IAM policies enabled: %s (%s)", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if _, err := client.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId}); err != nil {
		t.Errorf("reading the encrypted results: %v", err)
	}
}

// The Tabulator connector's function policy and the organization's SCPs
// refuse in their own words.
func TestFunctionPolicyAndSCP(t *testing.T) {
	st := policyStack(t)
	st.Functions = []stack.Function{{Name: "quilt-sales-prod-tabulator", Policy: stack.Document(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:role/` + adminRole + `"}, "Action": "lambda:InvokeFunction", "Resource": "*"}]}`)}}
	st.SCPs = []stack.SCPLevel{
		{Level: "root", Policies: []stack.Policy{{Name: "FullAWSAccess", Document: stack.Document(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)}}},
		{Level: "ou-data", Policies: []stack.Policy{{Name: "NoTableListing", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Effect": "Deny", "Action": "glue:GetTables", "Resource": "*"}]}`)}}},
	}
	env := sandboxtest.Start(t, sandbox.Options{Stack: st})
	cfg := env.AWSConfig(t, "admin")

	qe := runQuery(t, athena.NewFromConfig(cfg), sailQuery)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, "lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator with an explicit deny in a resource-based policy") {
		t.Errorf("the function policy's Deny: %s (%s)", qe.Status.State, reason)
	}
	explained(t, reason, explain.PolicyResource, true)

	_, err := glue.NewFromConfig(cfg).GetTables(sandboxtest.Context(t), &glue.GetTablesInput{DatabaseName: aws.String("sales")})
	if err == nil {
		t.Fatal("GetTables under an SCP that denies it succeeded")
	}
	if _, msg := apiMessage(t, err); !strings.HasSuffix(msg, "with an explicit deny in a service control policy") {
		t.Errorf("SCP: got %q", msg)
	}
	explained(t, err.Error(), explain.PolicySCP, true)
	if _, err := glue.NewFromConfig(cfg).GetDatabases(sandboxtest.Context(t), &glue.GetDatabasesInput{}); err != nil {
		t.Errorf("what the SCPs allow: %v", err)
	}
}

// A policy the stack cannot be served with is refused at start, naming
// where it is and what is wrong.
func TestStackPolicyErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(st *stack.Stack)
		want   []string
	}{
		{"bucket policy without a Principal", func(st *stack.Stack) {
			st.Buckets[0].Policy = stack.Document(`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}`)
		}, []string{"bucket quilt-sandbox-bucket policy", "needs a Principal"}},
		{"boundary with a Principal", func(st *stack.Stack) {
			st.Roles[0].PermissionsBoundary = &stack.Policy{Name: "b", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}`)}
		}, []string{"permissions boundary", "Principal is not allowed in an identity policy"}},
		{"session policy with a bad action", func(st *stack.Stack) {
			st.Roles[0].SessionPolicies = []stack.Policy{{Name: "s", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3", "Resource": "*"}]}`)}}
		}, []string{"session policy", `action "s3" is not of the form`}},
	}
	for _, tt := range tests {
		st, err := stack.Default()
		if err != nil {
			t.Fatal(err)
		}
		tt.change(st)
		_, err = sandbox.New(sandbox.Options{Stack: st, ScratchDir: t.TempDir()})
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %v, want an error containing %q", tt.name, err, w)
			}
		}
	}
}

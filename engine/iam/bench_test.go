package iam

import "testing"

// benchPolicy is shaped like the Quilt role's policy: about a dozen
// statements, Glue conditioned on aws:CalledVia, a variable in a resource.
const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AthenaList", "Effect": "Allow", "Action": ["athena:ListWorkGroups", "athena:ListDataCatalogs"], "Resource": "*"},
    {"Sid": "AthenaWorkgroup", "Effect": "Allow",
     "Action": ["athena:GetWorkGroup", "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
     "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-*"},
    {"Sid": "GlueRead", "Effect": "Allow",
     "Action": ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions"],
     "Resource": ["arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/*", "arn:aws:glue:us-east-1:123456789012:table/*/*"],
     "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}},
    {"Sid": "ResultsBucket", "Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": "arn:aws:s3:::quilt-results"},
    {"Sid": "ResultsObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
     "Resource": "arn:aws:s3:::quilt-results/athena/${aws:username, 'shared'}/*"},
    {"Sid": "Data", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::quilt-data/*",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}},
    {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "arn:aws:kms:us-east-1:123456789012:key/*"},
    {"Sid": "LakeFormation", "Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"},
    {"Sid": "DenyPrimary", "Effect": "Deny", "Action": "athena:*", "Resource": "arn:aws:athena:*:*:workgroup/primary"},
    {"Sid": "DenyOldSessions", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}}
  ]
}`

func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, "quilt", benchPolicy)
	ctx := map[string][]string{
		"aws:PrincipalArn":     {"arn:aws:iam::123456789012:role/QuiltUser"},
		"aws:PrincipalAccount": {"123456789012"},
		"aws:username":         {"alice"},
		"aws:RequestedRegion":  {"us-east-1"},
		"aws:SecureTransport":  {"false"},
		"aws:CurrentTime":      {"2026-03-01T12:00:00Z"},
		"aws:EpochTime":        {"1772366400"},
		"aws:CalledVia":        {"athena.amazonaws.com"},
		"aws:ViaAWSService":    {"true"},
	}
	reqs := map[string]Request{
		"allow-glue-via-athena": {Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/sales/orders", Context: ctx},
		"allow-variable":        {Action: "s3:PutObject", Resource: "arn:aws:s3:::quilt-results/athena/alice/q.csv", Context: ctx},
		"implicit-deny":         {Action: "s3:DeleteObject", Resource: "arn:aws:s3:::quilt-data/k", Context: ctx},
		"explicit-deny":         {Action: "athena:StartQueryExecution", Resource: "arn:aws:athena:us-east-1:123456789012:workgroup/primary", Context: ctx},
	}
	want := map[string]Decision{"allow-glue-via-athena": Allowed, "allow-variable": Allowed, "implicit-deny": ImplicitlyDenied, "explicit-deny": ExplicitlyDenied}
	for name, req := range reqs {
		if got := Evaluate(req, p).Decision; got != want[name] {
			b.Fatalf("%s: got %v, want %v", name, got, want[name])
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(req, p)
			}
		})
	}

	// The same requests decided against all five policy types at once: a
	// session policy scoping the caller to its buckets (as a Quilt managed
	// role's credentials carry), a permissions boundary, SCPs at three
	// levels, and a bucket policy.
	set := PolicySet{
		Identity: []*Policy{p},
		Session:  []*Policy{mustParse(b, "session", benchSession)},
		Boundary: mustParse(b, "boundary", benchBoundary),
		SCPs: [][]*Policy{
			{mustParse(b, "FullAWSAccess", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)},
			{mustParse(b, "ou-data", benchSCP)},
			{mustParse(b, "FullAWSAccess", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)},
		},
		Resource: mustResourceB(b, benchBucketPolicy),
	}
	wantAll := map[string]PolicyType{"allow-glue-via-athena": PolicyNone, "allow-variable": PolicyNone, "implicit-deny": PolicyIdentity, "explicit-deny": PolicyIdentity}
	for name, req := range reqs {
		req.Principal = "arn:aws:sts::123456789012:assumed-role/QuiltUser/alice"
		if got := Decide(req, set); got.DeniedBy != wantAll[name] || (got.Decision == Allowed) != (want[name] == Allowed) {
			b.Fatalf("all five, %s: got %v by %s, want %v by %s", name, got.Decision, got.DeniedBy, want[name], wantAll[name])
		}
		b.Run("all-five/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Decide(req, set)
			}
		})
	}
}

func mustResourceB(b *testing.B, d string) *Policy {
	b.Helper()
	p, err := ParseResource("bucket-policy", []byte(d))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// The other four policy types of the all-five benchmark.
const (
	benchSession = `{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:GetDataAccess", "kms:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::quilt-results", "arn:aws:s3:::quilt-results/*", "arn:aws:s3:::quilt-data", "arn:aws:s3:::quilt-data/*"]}]}`
	benchBoundary = `{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:*", "s3:*", "kms:*", "lakeformation:*"], "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}`
	benchSCP = `{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}}]}`
	benchBucketPolicy = `{"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::quilt-results/*",
     "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}, "Bool": {"aws:ViaAWSService": "false"}}},
    {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::quilt-results", "arn:aws:s3:::quilt-results/*"]}]}`
)

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("quilt", doc); err != nil {
			b.Fatal(err)
		}
	}
}

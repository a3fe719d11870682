package explain

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

const (
	alice    = "arn:aws:sts::123456789012:assumed-role/ReadQuiltV2-quilt-prod/alice@example.com"
	catalog  = "arn:aws:glue:us-east-1:123456789012:catalog"
	goTail   = "https response error StatusCode: 400, RequestID: 4c3f5a4e-0b8e-4b6a-9d55-3e0c1f2a7b10, "
	javaGlue = " (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException; Request ID: 1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718; Proxy: null)"
)

type parseCase struct {
	name string
	in   string
	want Denial
}

// parseCases are written in AWS's wording, shape by shape, as AWS's
// documentation and recorded reports show them. The fuzz corpus under
// testdata/fuzz/FuzzParse starts from the same texts.
func parseCases() []parseCase {
	return []parseCase{
		{
			name: "IAM identity, Glue catalog",
			in:   "User: " + alice + " is not authorized to perform: glue:GetTable on resource: " + catalog + " because no identity-based policy allows the glue:GetTable action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{catalog},
				Principal: alice, PolicyType: "identity", Service: "glue"},
		},
		{
			name: "IAM explicit deny with policy ARN",
			in:   "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/DenyPrimary",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"athena:StartQueryExecution"},
				Resources: []string{"arn:aws:athena:us-east-1:123456789012:workgroup/primary"}, Principal: "arn:aws:iam::123456789012:user/bob",
				PolicyType: "identity", ExplicitDeny: true, Policy: "arn:aws:iam::123456789012:policy/DenyPrimary", Service: "athena"},
		},
		{
			name: "SCP with policy ARN",
			in:   "User: " + alice + " is not authorized to perform: glue:GetDatabases on resource: " + catalog + " with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-abcd1234/service_control_policy/p-abcd1234",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetDatabases"}, Resources: []string{catalog}, Principal: alice,
				PolicyType: "scp", ExplicitDeny: true, Policy: "arn:aws:organizations::111122223333:policy/o-abcd1234/service_control_policy/p-abcd1234", Service: "glue"},
		},
		{
			name: "SCP without ARN",
			in:   "User: " + alice + " is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::results/q/1.csv\" with an explicit deny in a service control policy",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:PutObject"}, Resources: []string{"arn:aws:s3:::results/q/1.csv"}, Principal: alice,
				PolicyType: "scp", ExplicitDeny: true, Service: "s3"},
		},
		{
			name: "permissions boundary",
			in:   "User: " + alice + " is not authorized to perform: glue:GetPartitions on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders because no permissions boundary allows the glue:GetPartitions action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetPartitions"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
				Principal: alice, PolicyType: "boundary", Service: "glue"},
		},
		{
			name: "session policy, docs' spelling",
			in:   "User: " + alice + " is not authorized to perform: glue:GetTables on resource: " + catalog + " because no sessions policy allows the glue:GetTables action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTables"}, Resources: []string{catalog}, Principal: alice, PolicyType: "session", Service: "glue"},
		},
		{
			name: "resource-based policy",
			in:   "User: arn:aws:sts::444455556666:assumed-role/Reader/x is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/shared/t because no resource-based policy allows the glue:GetTable action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/shared/t"},
				Principal: "arn:aws:sts::444455556666:assumed-role/Reader/x", PolicyType: "resource", Service: "glue"},
		},
		{
			name: "VPC endpoint policy",
			in:   "User: " + alice + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::data/x\" because no VPC endpoint policy allows the s3:GetObject action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::data/x"}, Principal: alice, PolicyType: "vpce", Service: "s3"},
		},
		{
			name: "VPC endpoint transitively through an SCP",
			in:   "User: " + alice + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::data/x\" with an explicit deny in a VPC endpoint policy transitively through a service control policy",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::data/x"}, Principal: alice,
				PolicyType: "scp", ExplicitDeny: true, Service: "s3"},
		},
		{
			name: "KMS key policy",
			in:   "com.amazonaws.services.s3.model.AmazonS3Exception: User: " + alice + " is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"kms:Decrypt"}, Resources: []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
				Principal: alice, PolicyType: "kms", Service: "kms", Code: "AmazonS3Exception"},
		},
		{
			name: "pre-2021 text without a clause, upper-case prefix",
			in:   "AuthorizationError: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:123456789012:alerts",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"sns:Publish"}, Resources: []string{"arn:aws:sns:us-east-1:123456789012:alerts"},
				Principal: "arn:aws:iam::123456789012:user/ci", Service: "sns", Code: "AuthorizationError"},
		},
		{
			name: "resource with spaces, principal without account",
			in:   "User: arn:aws:sts:::assumed-role/etl/run is not authorized to perform: glue:StartJobRun on resource: arn:aws:glue:eu-west-1:123456789012:job/Copy parking raw to curated because no identity-based policy allows the glue:StartJobRun action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:StartJobRun"}, Resources: []string{"arn:aws:glue:eu-west-1:123456789012:job/Copy parking raw to curated"},
				Principal: "arn:aws:sts:::assumed-role/etl/run", PolicyType: "identity", Service: "glue"},
		},
		{
			name: "IAM resource printed as role NAME",
			in:   "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on resource: role AthenaRunner",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"iam:PassRole"}, Resources: []string{"role AthenaRunner"},
				Principal: "arn:aws:iam::123456789012:user/dev", Service: "iam"},
		},
		{
			name: "action printed as null",
			in:   "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: null",
			want: Denial{Denied: true, Category: "permission", Principal: "arn:aws:iam::123456789012:user/dev"},
		},
		{
			name: "wrapped inside the ARN and between words",
			in:   "User: arn:aws:sts::123456789012:assumed-role/ReadQuiltV2-quilt-prod/ali\nce@example.com is not authorized to perform: glue:GetTable on resource:\narn:aws:glue:us-east-1:123456789012:table/sal\nes/orders\nbecause no identity-based policy allows the glue:GetTable action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
				Principal: alice, PolicyType: "identity", Service: "glue"},
		},
		{
			name: "cut short by the client",
			in:   "User: " + alice + " is not authorized to perform: sts (truncated...)",
			want: Denial{Denied: true, Category: "permission", Principal: alice, Service: "sts"},
		},
		{
			name: "cut inside a quoted resource",
			in:   "User: " + alice + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::quilt-bucket/da",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::quilt-bucket/da"}, Principal: alice, Service: "s3"},
		},
		{
			name: "sentence repeated by a JDBC driver",
			in:   "[Simba][AthenaJDBC](100071) An error has been thrown from the AWS Athena client. User: " + alice + " is not authorized to perform: glue:GetTable on resource: " + catalog + " because no identity-based policy allows the glue:GetTable action. User: " + alice + " is not authorized to perform: glue:GetTable on resource: " + catalog + " because no identity-based policy allows the glue:GetTable action [Execution ID: 6b1a]",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{catalog}, Principal: alice, PolicyType: "identity", Service: "glue"},
		},
		{
			name: "authorization-id form",
			in:   "User: " + alice + " is not authorized to perform: glue:GetTable on resource: " + catalog + " because no identity-based policy allows the glue:GetTable action. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/abc123 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: abc123",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{catalog}, Principal: alice, PolicyType: "identity", Service: "glue"},
		},
		{
			name: "Athena short denial through aws-sdk-go-v2",
			in:   "operation error Athena: StartQueryExecution, " + goTail + "api error AccessDeniedException: You are not authorized to perform: athena:StartQueryExecution on the resource. After your AWS administrator or you have updated your permissions, please try again.",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:StartQueryExecution"}, Service: "athena", Code: "AccessDeniedException", Operation: "StartQueryExecution"},
		},
		{
			name: "Athena full denial through botocore",
			in:   "An error occurred (AccessDeniedException) when calling the GetWorkGroup operation: User: " + alice + " is not authorized to perform: athena:GetWorkGroup on resource: arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-prod because no identity-based policy allows the athena:GetWorkGroup action",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"athena:GetWorkGroup"}, Resources: []string{"arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-prod"},
				Principal: alice, PolicyType: "identity", Service: "athena", Code: "AccessDeniedException", Operation: "GetWorkGroup"},
		},
		{
			name: "Athena metadata call wrapping Glue's denial",
			in:   "operation error Athena: GetTableMetadata, " + goTail + "api error MetadataException: User: " + alice + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:database/sales because no identity-based policy allows the glue:GetTable action" + javaGlue,
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:database/sales"},
				Principal: alice, PolicyType: "identity", Service: "glue", Code: "MetadataException", Operation: "GetTableMetadata"},
		},
		{
			name: "S3 XML body, cross-account",
			in:   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>7XK2V9Q1</RequestId><HostId>aGVsbG8=</HostId></Error>",
			want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "AccessDenied"},
		},
		{
			name: "S3 XML body with IAM grammar and entities",
			in:   "<Error><Code>AccessDenied</Code><Message>User: " + alice + " is not authorized to perform: s3:ListBucket on resource: &quot;arn:aws:s3:::quilt-bucket&quot; because no identity-based policy allows the s3:ListBucket action</Message><RequestId>R</RequestId></Error>",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:aws:s3:::quilt-bucket"}, Principal: alice,
				PolicyType: "identity", Service: "s3", Code: "AccessDenied"},
		},
		{
			name: "S3 HEAD through botocore",
			in:   "An error occurred (403) when calling the HeadObject operation: Forbidden",
			want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "403", Operation: "HeadObject"},
		},
		{
			name: "S3 HEAD through aws-sdk-go-v2",
			in:   "operation error S3: HeadObject, https response error StatusCode: 403, RequestID: 9Z8Y, HostID: aGk=, api error Forbidden: Forbidden",
			want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "Forbidden", Operation: "HeadObject"},
		},
		{
			name: "JSON protocol body with namespace",
			in:   `{"__type":"com.amazonaws.glue#AccessDeniedException","Message":"User: ` + alice + ` is not authorized to perform: glue:GetDatabases on resource: ` + catalog + ` because no identity-based policy allows the glue:GetDatabases action"}`,
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetDatabases"}, Resources: []string{catalog}, Principal: alice,
				PolicyType: "identity", Service: "glue", Code: "AccessDeniedException"},
		},
		{
			name: "StateChangeReason: Glue inside Java rendering",
			in:   "Insufficient permissions to execute the query. User: " + alice + " is not authorized to perform: glue:GetPartitions on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders because no identity-based policy allows the glue:GetPartitions action" + javaGlue,
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetPartitions"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
				Principal: alice, PolicyType: "identity", Service: "glue", Code: "AccessDeniedException"},
		},
		{
			name: "StateChangeReason: insufficient permissions and nothing else",
			in:   "Insufficient permissions to execute the query.",
			want: Denial{Denied: true, Category: "permission"},
		},
		{
			name: "StateChangeReason: writing results",
			in:   "Access denied when writing output to url: s3://quilt-athena-results/athena/1b2c.csv . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key",
			want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"s3:PutObject"}, Resources: []string{"s3://quilt-athena-results/athena/1b2c.csv"}, Service: "s3"},
		},
		{
			name: "StateChangeReason: S3 path with IAM text",
			in:   "Permission denied on S3 path: s3://quilt-bucket/sales/orders/part-0.csv. User: " + alice + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::quilt-bucket/sales/orders/part-0.csv\" because no identity-based policy allows the s3:GetObject action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 0A1B2C3D4E5F6071; S3 Extended Request ID: eHl6; Proxy: null)",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::quilt-bucket/sales/orders/part-0.csv"},
				Principal: alice, PolicyType: "identity", Service: "s3", Code: "AccessDenied"},
		},
		{
			name: "StateChangeReason: Java S3 rendering with Path",
			in:   "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 3F1A; S3 Extended Request ID: Zm9v; Proxy: null), S3 Extended Request ID: Zm9v (Path: s3://quilt-bucket/sales/orders/part-0.csv)",
			want: Denial{Denied: true, Category: "permission", Resources: []string{"s3://quilt-bucket/sales/orders/part-0.csv"}, Service: "s3", Code: "AccessDenied"},
		},
		{
			name: "StateChangeReason: engine v3 S3 denial",
			in:   "PERMISSION_DENIED: Access Denied (Service: S3, Status Code: 403)",
			want: Denial{Denied: true, Category: "permission", Service: "s3"},
		},
		{
			name: "StateChangeReason: Lambda",
			in:   "Failed to invoke lambda function due to com.amazonaws.services.lambda.model.AWSLambdaException: User: " + alice + " is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:quilt-prod-tabulator because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: 5e6f; Proxy: null)",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"lambda:InvokeFunction"}, Resources: []string{"arn:aws:lambda:us-east-1:123456789012:function:quilt-prod-tabulator"},
				Principal: alice, PolicyType: "identity", Service: "lambda", Code: "AccessDeniedException"},
		},
		{
			name: "StateChangeReason: Hive DDL MetaException",
			in:   "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. MetaException(message:User: " + alice + " is not authorized to perform: glue:CreateTable on resource: arn:aws:glue:us-east-1:123456789012:database/sales (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException; Request ID: 77aa; Proxy: null))",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"glue:CreateTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:database/sales"},
				Principal: alice, Service: "glue", Code: "AccessDeniedException"},
		},
		{
			name: "Lake Formation, required permission",
			in:   "Insufficient Lake Formation permission(s): Required Create Database on Catalog",
			want: Denial{Denied: true, Category: "permission", Resources: []string{"Catalog"}, PolicyType: "lakeformation", Service: "lakeformation"},
		},
		{
			name: "Lake Formation on a table",
			in:   "Insufficient Lake Formation permission(s) on orders",
			want: Denial{Denied: true, Category: "permission", Resources: []string{"orders"}, PolicyType: "lakeformation", Service: "lakeformation"},
		},
		{
			name: "aws-sdk-go v1 rendering",
			in:   "AccessDeniedException: User: " + alice + " is not authorized to perform: athena:GetQueryResults on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary because no identity-based policy allows the athena:GetQueryResults action\n\tstatus code: 400, request id: 0d2e",
			want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"athena:GetQueryResults"}, Resources: []string{"arn:aws:athena:us-east-1:123456789012:workgroup/primary"},
				Principal: alice, PolicyType: "identity", Service: "athena", Code: "AccessDeniedException"},
		},

		// Credentials: never a permission problem.
		{
			name: "expired token, JSON protocol",
			in:   `{"__type":"com.amazonaws.athena#ExpiredTokenException","message":"The security token included in the request is expired"}`,
			want: Denial{Category: "credentials", Code: "ExpiredTokenException"},
		},
		{
			name: "expired token through aws-sdk-go-v2",
			in:   "operation error Athena: StartQueryExecution, " + goTail + "api error ExpiredTokenException: The security token included in the request is expired",
			want: Denial{Category: "credentials", Service: "athena", Code: "ExpiredTokenException", Operation: "StartQueryExecution"},
		},
		{
			name: "unrecognized client",
			in:   "operation error Glue: GetDatabases, " + goTail + "api error UnrecognizedClientException: The security token included in the request is invalid.",
			want: Denial{Category: "credentials", Service: "glue", Code: "UnrecognizedClientException", Operation: "GetDatabases"},
		},
		{
			name: "STS query-protocol XML",
			in:   "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid</Message></Error><RequestId>a1</RequestId></ErrorResponse>",
			want: Denial{Category: "credentials", Code: "InvalidClientTokenId"},
		},
		{
			name: "signature mismatch through botocore",
			in:   "An error occurred (SignatureDoesNotMatch) when calling the GetObject operation: The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			want: Denial{Category: "credentials", Service: "s3", Code: "SignatureDoesNotMatch", Operation: "GetObject"},
		},
		{
			name: "unknown access key on S3",
			in:   "<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message><AWSAccessKeyId>ASIAEXAMPLE</AWSAccessKeyId></Error>",
			want: Denial{Category: "credentials", Service: "s3", Code: "InvalidAccessKeyId"},
		},
		{
			name: "expired token worded as AccessDeniedException",
			in:   "AccessDeniedException: The security token included in the request is expired",
			want: Denial{Category: "credentials", Code: "AccessDeniedException"},
		},

		// Other failures that are not refusals.
		{
			name: "Athena concurrency",
			in:   "operation error Athena: StartQueryExecution, " + goTail + "api error TooManyRequestsException: You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account.",
			want: Denial{Category: "throttling", Service: "athena", Code: "TooManyRequestsException", Operation: "StartQueryExecution"},
		},
		{
			name: "S3 slow down inside a query",
			in:   "HIVE_CURSOR_ERROR: Please reduce your request rate.",
			want: Denial{Category: "throttling"},
		},
		{
			name: "table not found",
			in:   "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.ordrs' does not exist",
			want: Denial{Category: "not_found"},
		},
		{
			name: "Glue entity not found",
			in:   "An error occurred (EntityNotFoundException) when calling the GetTable operation: Table ordrs not found.",
			want: Denial{Category: "not_found", Service: "glue", Code: "EntityNotFoundException", Operation: "GetTable"},
		},
		{
			name: "syntax",
			in:   "line 1:8: mismatched input 'FORM'. Expecting: '*', <expression>",
			want: Denial{Category: "syntax"},
		},
		{
			name: "scale factor",
			in:   "Query exhausted resources at this scale factor",
			want: Denial{Category: "limit"},
		},
		{
			name: "no output location",
			in:   "operation error Athena: StartQueryExecution, " + goTail + "api error InvalidRequestException: No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.",
			want: Denial{Category: "config", Service: "athena", Code: "InvalidRequestException", Operation: "StartQueryExecution"},
		},
		{
			name: "output bucket ambiguous",
			in:   "Unable to verify/create output bucket quilt-athena-results",
			want: Denial{Category: "config", MaybeDenied: true, Resources: []string{"quilt-athena-results"}, Service: "s3"},
		},
		{
			name: "federated source refusing its connector",
			in:   "GENERIC_USER_ERROR: Access denied for user 'reader'@'10.0.0.5' (using password: YES)",
			want: Denial{Category: "other"},
		},
		{
			name: "full Athena denial followed by the advice sentence",
			in:   "User: " + alice + " is not authorized to perform: athena:GetWorkGroup on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary. After your AWS administrator or you have updated your permissions, please try again.",
			want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:GetWorkGroup"}, Resources: []string{"arn:aws:athena:us-east-1:123456789012:workgroup/primary"},
				Principal: alice, Service: "athena"},
		},
		{
			name: "empty",
			in:   "",
			want: Denial{Category: "other"},
		},
	}
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases() {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Original = tc.in
			got := Parse(tc.in)
			checkInvariants(t, tc.in, got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, show(got), show(tc.want))
			}
		})
	}
}

// show prints a Denial field by field, without Original, for diffs.
func show(d Denial) string {
	d.Original = ""
	return fmt.Sprintf("%+v", d)
}

func TestKind(t *testing.T) {
	tests := []struct {
		in   string
		want engine.Kind
	}{
		{"You are not authorized to perform: athena:GetWorkGroup on the resource.", engine.Denied},
		{"ExpiredTokenException: The security token included in the request is expired", engine.Credentials},
		{"ThrottlingException: Rate exceeded", engine.Throttled},
		{"TABLE_NOT_FOUND: Table 'a.b' does not exist", engine.NotFound},
		{"line 1:1: mismatched input 'SELEC'", engine.Invalid},
		{"No output location provided.", engine.Invalid},
		{"Query exhausted resources at this scale factor", engine.Failed},
		{"something else", engine.Other},
	}
	for _, tc := range tests {
		if got := Parse(tc.in).Kind(); got != tc.want {
			t.Errorf("Parse(%q).Kind() = %v, want %v", tc.in, got, tc.want)
		}
	}
}

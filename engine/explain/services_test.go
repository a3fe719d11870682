package explain

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/fuzz/FuzzParse from the parse cases")

const (
	bob       = "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/bob"
	wgARN     = "arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	keyARN    = "arn:aws:kms:us-east-1:123456789012:key/0f3c6a1e-5b2d-4e8f-9a7c-2d1b0e9f8a6c"
	tabFn     = "arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator"
	reqID     = "RequestID: 2b6f0c1e-8d4a-4f3b-9e2a-7c5d1a0b9e8f, "
	javaLF    = " (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException; Request ID: 9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0; Proxy: null)"
	advice    = " After your AWS administrator or you have updated your permissions, please try again."
	glueTable = "arn:aws:glue:us-east-1:123456789012:table/userathenadatabase-k3v9q2m7xw1p/quilt-sandbox-bucket_packages-view"
)

// A service's cases: the shapes its refusals (and its look-alikes) take
// on the wire and in the tools that render them.
type serviceCases struct {
	service string
	cases   []parseCase
}

// byService groups the cases written per service. Each text follows the
// wording AWS documents for that service and the renderings of the SDKs
// and tools in aws-permissions.md (2.4, 2.5); names and IDs are invented.
func byService() []serviceCases {
	return []serviceCases{
		{"athena", []parseCase{
			{
				name: "JSON body, short denial",
				in:   `{"__type":"AccessDeniedException","Message":"You are not authorized to perform: athena:GetWorkGroup on the resource.` + advice + `"}`,
				want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:GetWorkGroup"}, Service: "athena", Code: "AccessDeniedException"},
			},
			{
				name: "X-Amzn-ErrorType header with URL decoration and a message-only body",
				in:   "HTTP/1.1 400 Bad Request\nX-Amzn-ErrorType: AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/\nContent-Type: application/x-amz-json-1.1\n\n{\"Message\":\"You are not authorized to perform: athena:StartQueryExecution on the resource." + advice + "\"}",
				want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:StartQueryExecution"}, Service: "athena", Code: "AccessDeniedException"},
			},
			{
				name: "aws-sdk-go-v2, retries exhausted on throttling",
				in:   "operation error Athena: GetQueryExecution, exceeded maximum number of attempts, 3, https response error StatusCode: 400, " + reqID + "api error ThrottlingException: Rate exceeded",
				want: Denial{Category: "throttling", Service: "athena", Code: "ThrottlingException", Operation: "GetQueryExecution"},
			},
			{
				name: "GetQueryExecution output, S3 permission error",
				in: `{
    "QueryExecution": {
        "QueryExecutionId": "7d3b1f0e-2c4a-4b8e-9f1d-6a5c3e2b1d0f",
        "Query": "SELECT * FROM \"sales\".\"orders\" limit 10",
        "WorkGroup": "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup",
        "Status": {
            "State": "FAILED",
            "StateChangeReason": "Permission denied on S3 path: s3://quilt-sandbox-bucket/warehouse/sales/orders/orders-2024h1.csv",
            "AthenaError": {
                "ErrorCategory": 2,
                "ErrorType": 1501,
                "Retryable": false,
                "ErrorMessage": "Permission denied on S3 path: s3://quilt-sandbox-bucket/warehouse/sales/orders/orders-2024h1.csv"
            }
        }
    }
}`,
				want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"s3:GetObject"}, Resources: []string{"s3://quilt-sandbox-bucket/warehouse/sales/orders/orders-2024h1.csv"}, Service: "s3"},
			},
			{
				name: "GetQueryExecution output cut short inside the reason",
				in:   `{"QueryExecution": {"Status": {"State": "FAILED", "StateChangeReason": "Insufficient permissions to execute the query. User: ` + bob + ` is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based pol`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:catalog"}, Principal: bob, Service: "glue"},
			},
			{
				name: "AthenaError type alone decides: Lake Formation",
				in:   `"AthenaError": {"ErrorCategory": 2, "ErrorType": 234, "Retryable": false, "ErrorMessage": "HIVE_METASTORE_ERROR"}`,
				want: Denial{Denied: true, Category: "permission"},
			},
			{
				name: "AthenaError type alone decides: throttling",
				in:   `{"Status": {"State": "FAILED", "StateChangeReason": "HIVE_CURSOR_ERROR", "AthenaError": {"ErrorCategory": 1, "ErrorType": 1403, "Retryable": true}}}`,
				want: Denial{Category: "throttling"},
			},
			{
				name: "Simba JDBC driver with Athena's short denial",
				in:   "[Simba][AthenaJDBC](100071) An error has been thrown from the AWS Athena client. You are not authorized to perform: athena:GetQueryResultsStream on the resource." + advice + " [Execution ID not available]",
				want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:GetQueryResultsStream"}, Service: "athena"},
			},
			{
				name: "Java SDK v2 rendering",
				in:   "software.amazon.awssdk.services.athena.model.AthenaException: You are not authorized to perform: athena:ListWorkGroups on the resource." + advice + " (Service: Athena, Status Code: 400, Request ID: 1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6)",
				want: Denial{Denied: true, Category: "permission", Actions: []string{"athena:ListWorkGroups"}, Service: "athena", Code: "AthenaException"},
			},
			{
				name: "explicit deny on the primary workgroup through botocore",
				in:   "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the StartQueryExecution operation: User: " + bob + " is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary with an explicit deny in an identity-based policy",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"athena:StartQueryExecution"}, Resources: []string{"arn:aws:athena:us-east-1:123456789012:workgroup/primary"},
					Principal: bob, PolicyType: "identity", ExplicitDeny: true, Service: "athena", Code: "AccessDeniedException", Operation: "StartQueryExecution"},
			},
			{
				name: "results write refused, location form",
				in:   "Access denied when writing to location: s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/tables/5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c",
				want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"s3:PutObject"}, Resources: []string{"s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/tables/5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c"}, Service: "s3"},
			},
			{
				name: "CTAS partitions refused",
				in:   "Insufficient permissions to execute the query. User is not authorized to create partitions on Glue catalog . You may need to manually clean the data at location 's3://sales-prod-analyticsbucket-0o2h8f5nq4ve/ctas/daily/' before retrying. Athena will not delete data in your account.",
				want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"glue:BatchCreatePartition"}, Service: "glue"},
			},
			{
				name: "workgroup disabled",
				in:   "An error occurred (InvalidRequestException) when calling the StartQueryExecution operation: WorkGroup QuiltUserAthena-sales-prod-audit is disabled.",
				want: Denial{Category: "config", Service: "athena", Code: "InvalidRequestException", Operation: "StartQueryExecution"},
			},
			{
				name: "workgroup not found",
				in:   "operation error Athena: GetWorkGroup, https response error StatusCode: 400, " + reqID + "api error InvalidRequestException: WorkGroup QuiltUserAthena-sales-prd is not found.",
				want: Denial{Category: "not_found", Service: "athena", Code: "InvalidRequestException", Operation: "GetWorkGroup"},
			},
			{
				name: "invalid results location",
				in:   "InvalidRequestException: The S3 location provided to save your query results is invalid. Please check your S3 location is correct and is in the same region and try again. If you continue to see the issue, contact customer support for further assistance.",
				want: Denial{Category: "config", Code: "InvalidRequestException"},
			},
			{
				name: "bytes scanned limit",
				in:   "Query cancelled! Bytes scanned limit was exceeded. Current per query limit is 10485760 bytes.",
				want: Denial{Category: "limit"},
			},
			{
				name: "column not found",
				in:   "COLUMN_NOT_FOUND: line 1:8: Column 'skus' cannot be resolved or requester is not authorized to access requested resources",
				want: Denial{Category: "not_found"},
			},
		}},
		{"glue", []parseCase{
			{
				name: "direct call refused under the aws:CalledVia convention (aws-sdk-go-v2)",
				in:   "operation error Glue: GetDatabases, https response error StatusCode: 400, " + reqID + "api error AccessDeniedException: User: " + bob + " is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetDatabases"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:catalog"},
					Principal: bob, PolicyType: "identity", Service: "glue", Code: "AccessDeniedException", Operation: "GetDatabases"},
			},
			{
				name: "default database, pre-2021 wording through the Java SDK v1",
				in:   "com.amazonaws.services.glue.model.AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/QuiltReader/carol is not authorized to perform: glue:GetDatabase on resource: arn:aws:glue:us-east-1:123456789012:database/default (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException; Request ID: 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)",
				want: Denial{Denied: true, Category: "permission", Actions: []string{"glue:GetDatabase"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:database/default"},
					Principal: "arn:aws:sts::123456789012:assumed-role/QuiltReader/carol", Service: "glue", Code: "AccessDeniedException"},
			},
			{
				name: "hyphenated Quilt table name, wrapped by a mail client",
				in:   "User: " + bob + " is not authorized to perform: glue:GetTable on resource:\n" + glueTable[:70] + "\n" + glueTable[70:] + " because no identity-based policy allows the glue:GetTable action",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{glueTable},
					Principal: bob, PolicyType: "identity", Service: "glue"},
			},
			{
				name: "cross-account catalog: resource-based policy",
				in:   "An error occurred (AccessDeniedException) when calling the GetTable operation: User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:210987654321:catalog because no resource-based policy allows the glue:GetTable action",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetTable"}, Resources: []string{"arn:aws:glue:us-east-1:210987654321:catalog"},
					Principal: bob, PolicyType: "resource", Service: "glue", Code: "AccessDeniedException", Operation: "GetTable"},
			},
			{
				name: "JSON body with namespace, explicit deny in a permissions boundary",
				in:   `{"__type":"com.amazonaws.glue#AccessDeniedException","Message":"User: ` + bob + ` is not authorized to perform: glue:DeleteTable on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders with an explicit deny in a permissions boundary"}`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:DeleteTable"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
					Principal: bob, PolicyType: "boundary", ExplicitDeny: true, Service: "glue", Code: "AccessDeniedException"},
			},
			{
				name: "session policy through aws-sdk-go v1",
				in:   "AccessDeniedException: User: " + bob + " is not authorized to perform: glue:GetPartitions on resource: arn:aws:glue:us-east-1:123456789012:table/sales/events because no session policy allows the glue:GetPartitions action\n\tstatus code: 400, request id: 6e5d4c3b-2a19-4087-b6a5-f4e3d2c1b0a9",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"glue:GetPartitions"}, Resources: []string{"arn:aws:glue:us-east-1:123456789012:table/sales/events"},
					Principal: bob, PolicyType: "session", Service: "glue", Code: "AccessDeniedException"},
			},
			{
				name: "database not found",
				in:   "operation error Glue: GetDatabase, https response error StatusCode: 400, " + reqID + "api error EntityNotFoundException: Database salez not found.",
				want: Denial{Category: "not_found", Service: "glue", Code: "EntityNotFoundException", Operation: "GetDatabase"},
			},
			{
				name: "rate exceeded inside a query",
				in:   "HIVE_METASTORE_ERROR: com.amazonaws.services.glue.model.AWSGlueException: Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException; Request ID: 3c2b1a09-8f7e-4d6c-b5a4-938271605f4e; Proxy: null)",
				want: Denial{Category: "throttling", Service: "glue", Code: "ThrottlingException"},
			},
			{
				name: "too many tables",
				in:   "An error occurred (ResourceNumberLimitExceededException) when calling the CreateTable operation: Number of tables in database sales exceeds the limit.",
				want: Denial{Category: "limit", Service: "glue", Code: "ResourceNumberLimitExceededException", Operation: "CreateTable"},
			},
			{
				name: "expired token on a direct call",
				in:   "An error occurred (ExpiredTokenException) when calling the GetTables operation: The security token included in the request is expired",
				want: Denial{Category: "credentials", Service: "glue", Code: "ExpiredTokenException", Operation: "GetTables"},
			},
		}},
		{"s3", []parseCase{
			{
				name: "HEAD with no body through aws-sdk-go v1",
				in:   "Forbidden: Forbidden\n\tstatus code: 403, request id: 8F3A2B1C0D9E8F7A, host id: c29tZSBob3N0IGlk",
				want: Denial{Denied: true, Category: "permission", Code: "Forbidden"},
			},
			{
				name: "HEAD as a raw HTTP response",
				in:   "HTTP/1.1 403 Forbidden\nx-amz-request-id: 8F3A2B1C0D9E8F7A\nx-amz-id-2: c29tZSBob3N0IGlk\nContent-Type: application/xml\nDate: Tue, 04 Jun 2024 10:11:12 GMT\nServer: AmazonS3",
				want: Denial{Denied: true, Category: "permission", Service: "s3"},
			},
			{
				name: "HeadBucket through aws-sdk-go-v2",
				in:   "operation error S3: HeadBucket, https response error StatusCode: 403, RequestID: 8F3A2B1C0D9E8F7A, HostID: c29tZQ==, api error Forbidden: Forbidden",
				want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "Forbidden", Operation: "HeadBucket"},
			},
			{
				name: "explicit deny in a bucket policy, XML body",
				in:   `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: ` + bob + ` is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/q.csv" with an explicit deny in a resource-based policy</Message><RequestId>8F3A</RequestId><HostId>c29t</HostId></Error>`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:PutObject"}, Resources: []string{"arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/q.csv"},
					Principal: bob, PolicyType: "resource", ExplicitDeny: true, Service: "s3", Code: "AccessDenied"},
			},
			{
				name: "same-account detail through botocore",
				in:   "An error occurred (AccessDenied) when calling the GetObject operation: User: " + bob + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/orders/orders-2023h2.csv" because no identity-based policy allows the s3:GetObject action`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/orders/orders-2023h2.csv"},
					Principal: bob, PolicyType: "identity", Service: "s3", Code: "AccessDenied", Operation: "GetObject"},
			},
			{
				name: "Java SDK v2 S3Exception",
				in:   "software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: S3, Status Code: 403, Request ID: 8F3A2B1C0D9E8F7A, Extended Request ID: c29tZSBob3N0IGlk)",
				want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "S3Exception"},
			},
			{
				name: "all access disabled",
				in:   "<Error><Code>AllAccessDisabled</Code><Message>All access to this object has been disabled</Message><RequestId>1A2B</RequestId></Error>",
				want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "AllAccessDisabled"},
			},
			{
				name: "expired token on S3 (HTTP 400)",
				in:   "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message><Token-0>FwoGZXIvYXdzE...</Token-0><RequestId>1A2B</RequestId></Error>",
				want: Denial{Category: "credentials", Service: "s3", Code: "ExpiredToken"},
			},
			{
				name: "bucket in another region",
				in:   "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>quilt-eu.s3.eu-west-1.amazonaws.com</Endpoint></Error>",
				want: Denial{Category: "config", Service: "s3", Code: "PermanentRedirect"},
			},
			{
				name: "no such bucket",
				in:   "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist",
				want: Denial{Category: "not_found", Service: "s3", Code: "NoSuchBucket", Operation: "ListObjectsV2"},
			},
			{
				name: "slow down through aws-sdk-go-v2",
				in:   "operation error S3: GetObject, exceeded maximum number of attempts, 3, https response error StatusCode: 503, RequestID: 1A2B, HostID: c29t, api error SlowDown: Please reduce your request rate.",
				want: Denial{Category: "throttling", Service: "s3", Code: "SlowDown", Operation: "GetObject"},
			},
		}},
		{"sts", []parseCase{
			{
				name: "AssumeRole refused, query-protocol XML",
				in:   `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/ReadOnlyQuilt/dave is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/QuiltAdmin-sales-prod</Message></Error><RequestId>c0ffee00-1111-2222-3333-444455556666</RequestId></ErrorResponse>`,
				want: Denial{Denied: true, Category: "permission", Actions: []string{"sts:AssumeRole"}, Resources: []string{"arn:aws:iam::123456789012:role/QuiltAdmin-sales-prod"},
					Principal: "arn:aws:sts::123456789012:assumed-role/ReadOnlyQuilt/dave", Service: "sts", Code: "AccessDenied"},
			},
			{
				name: "AssumeRole refused through botocore, SCP",
				in:   "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/QuiltAdmin-sales-prod with an explicit deny in a service control policy",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"sts:AssumeRole"}, Resources: []string{"arn:aws:iam::123456789012:role/QuiltAdmin-sales-prod"},
					Principal: "arn:aws:iam::123456789012:user/ci", PolicyType: "scp", ExplicitDeny: true, Service: "sts", Code: "AccessDenied", Operation: "AssumeRole"},
			},
			{
				name: "GetCallerIdentity with an unknown token, as Terraform prints it",
				in:   "error calling sts:GetCallerIdentity: operation error STS: GetCallerIdentity, https response error StatusCode: 403, RequestID: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, api error InvalidClientTokenId: The security token included in the request is invalid.",
				want: Denial{Category: "credentials", Service: "sts", Code: "InvalidClientTokenId", Operation: "GetCallerIdentity"},
			},
			{
				name: "expired token, query-protocol XML",
				in:   `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
				want: Denial{Category: "credentials", Code: "ExpiredToken"},
			},
			{
				name: "region not activated",
				in:   "An error occurred (RegionDisabledException) when calling the AssumeRole operation: STS is not activated in this region for account:123456789012. Your account administrator can activate STS in this region using the IAM Console.",
				want: Denial{Category: "config", Service: "sts", Code: "RegionDisabledException", Operation: "AssumeRole"},
			},
			{
				name: "signature mismatch through aws-sdk-go v1",
				in:   "SignatureDoesNotMatch: Signature expired: 20240604T101112Z is now earlier than 20240604T102612Z (20240604T103112Z - 5 min.)\n\tstatus code: 403, request id: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
				want: Denial{Category: "credentials", Code: "SignatureDoesNotMatch"},
			},
			{
				name: "no credentials at all (botocore)",
				in:   "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
				want: Denial{Category: "credentials", Code: "NoCredentialsError"},
			},
		}},
		{"kms", []parseCase{
			{
				name: "identity policy lacks Decrypt (JSON body)",
				in:   `{"__type":"AccessDeniedException","message":"User: ` + bob + ` is not authorized to perform: kms:Decrypt on resource: ` + keyARN + ` because no identity-based policy allows the kms:Decrypt action"}`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"kms:Decrypt"}, Resources: []string{keyARN}, Principal: bob,
					PolicyType: "identity", Service: "kms", Code: "AccessDeniedException"},
			},
			{
				name: "key policy refuses GenerateDataKey, inside S3's XML",
				in:   `<Error><Code>AccessDenied</Code><Message>User: ` + bob + ` is not authorized to perform: kms:GenerateDataKey on resource: ` + keyARN + ` because no resource-based policy allows the kms:GenerateDataKey action</Message><RequestId>1</RequestId></Error>`,
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"kms:GenerateDataKey"}, Resources: []string{keyARN}, Principal: bob,
					PolicyType: "kms", Service: "kms", Code: "AccessDenied"},
			},
			{
				name: "ciphertext of a key the caller may not use, through S3",
				in:   "An error occurred (AccessDenied) when calling the GetObject operation: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
				want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"kms:Decrypt"}, PolicyType: "kms", Service: "kms", Code: "AccessDenied", Operation: "GetObject"},
			},
			{
				name: "service-qualified code relayed by another service",
				in:   "KMS.AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
				want: Denial{Denied: true, Category: "permission", ImpliedActions: []string{"kms:Decrypt"}, PolicyType: "kms", Service: "kms", Code: "AccessDeniedException"},
			},
			{
				name: "explicit deny in an SCP through aws-sdk-go-v2",
				in:   "operation error KMS: Decrypt, https response error StatusCode: 400, " + reqID + "api error AccessDeniedException: User: " + bob + " is not authorized to perform: kms:Decrypt on resource: " + keyARN + " with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/p-f6g7h8i9",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"kms:Decrypt"}, Resources: []string{keyARN}, Principal: bob, PolicyType: "scp", ExplicitDeny: true,
					Policy: "arn:aws:organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/p-f6g7h8i9", Service: "kms", Code: "AccessDeniedException", Operation: "Decrypt"},
			},
			{
				name: "key pending deletion",
				in:   "KMSInvalidStateException: " + keyARN + " is pending deletion.",
				want: Denial{Category: "config", Code: "KMSInvalidStateException"},
			},
			{
				name: "KMS throttled",
				in:   "operation error KMS: GenerateDataKey, exceeded maximum number of attempts, 3, https response error StatusCode: 400, " + reqID + "api error ThrottlingException: You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
				want: Denial{Category: "throttling", Service: "kms", Code: "ThrottlingException", Operation: "GenerateDataKey"},
			},
		}},
		{"lakeformation", []parseCase{
			{
				name: "required permission on a table, through Glue's Java rendering",
				in:   "HIVE_METASTORE_ERROR: com.amazonaws.services.glue.model.AccessDeniedException: Insufficient Lake Formation permission(s): Required Select on orders" + javaLF,
				want: Denial{Denied: true, Category: "permission", Resources: []string{"orders"}, PolicyType: "lakeformation", Service: "lakeformation", Code: "AccessDeniedException"},
			},
			{
				name: "on a database, through botocore",
				in:   "An error occurred (AccessDeniedException) when calling the GetTables operation: Insufficient Lake Formation permission(s) on sales",
				want: Denial{Denied: true, Category: "permission", Resources: []string{"sales"}, PolicyType: "lakeformation", Service: "lakeformation", Code: "AccessDeniedException", Operation: "GetTables"},
			},
			{
				name: "GetDataAccess missing from the identity policy",
				in:   "User: " + bob + " is not authorized to perform: lakeformation:GetDataAccess because no identity-based policy allows the lakeformation:GetDataAccess action",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"lakeformation:GetDataAccess"}, Principal: bob, PolicyType: "identity", Service: "lakeformation"},
			},
			{
				name: "required Describe on a database, JSON body",
				in:   `{"__type":"AccessDeniedException","Message":"Insufficient Lake Formation permission(s): Required Describe on sales"}`,
				want: Denial{Denied: true, Category: "permission", Resources: []string{"sales"}, PolicyType: "lakeformation", Service: "lakeformation", Code: "AccessDeniedException"},
			},
			{
				name: "query failure, AthenaError 234 with the reason",
				in:   `{"State": "FAILED", "StateChangeReason": "Insufficient Lake Formation permission(s) on orders", "AthenaError": {"ErrorCategory": 2, "ErrorType": 234, "Retryable": false}}`,
				want: Denial{Denied: true, Category: "permission", Resources: []string{"orders"}, PolicyType: "lakeformation", Service: "lakeformation"},
			},
			{
				name: "Create Table on a database, Simba driver",
				in:   "[Simba][AthenaJDBC](100071) An error has been thrown from the AWS Athena client. Insufficient Lake Formation permission(s): Required Create Table on sales [Execution ID: 3f2e1d0c-9b8a-4796-a5b4-c3d2e1f0a9b8]",
				want: Denial{Denied: true, Category: "permission", Resources: []string{"sales"}, PolicyType: "lakeformation", Service: "lakeformation"},
			},
		}},
		{"lambda", []parseCase{
			{
				name: "Invoke refused, JSON body with the code only in the header",
				in:   "x-amzn-ErrorType: AccessDeniedException\n{\"Message\":\"User: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: " + tabFn + " because no identity-based policy allows the lambda:InvokeFunction action\",\"Type\":\"User\"}",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"lambda:InvokeFunction"}, Resources: []string{tabFn}, Principal: bob,
					PolicyType: "identity", Service: "lambda", Code: "AccessDeniedException"},
			},
			{
				name: "namespaced header, cross-account function policy",
				in:   "X-Amzn-ErrorType: com.amazonaws.lambda#AccessDeniedException\n{\"Message\":\"User: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:210987654321:function:shared-connector because no resource-based policy allows the lambda:InvokeFunction action\"}",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"lambda:InvokeFunction"}, Resources: []string{"arn:aws:lambda:us-east-1:210987654321:function:shared-connector"}, Principal: bob,
					PolicyType: "resource", Service: "lambda", Code: "AccessDeniedException"},
			},
			{
				name: "federated query: the caller may not invoke the connector",
				in:   "GENERIC_USER_ERROR: Encountered an exception[com.amazonaws.services.lambda.model.AWSLambdaException] from your LambdaFunction[" + tabFn + "] executed in context[retrieving meta-data] with message[User: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: " + tabFn + " because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: 4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a; Proxy: null)]",
				want: Denial{Denied: true, DenyStated: true, Category: "permission", Actions: []string{"lambda:InvokeFunction"}, Resources: []string{tabFn}, Principal: bob,
					PolicyType: "identity", Service: "lambda", Code: "AccessDeniedException"},
			},
			{
				name: "federated query: the connector's own role refused on its spill bucket",
				in:   "GENERIC_USER_ERROR: Encountered an exception[com.amazonaws.services.s3.model.AmazonS3Exception] from your LambdaFunction[" + tabFn + "] executed in context[S3SpillLocation] with message[Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 1A2B; S3 Extended Request ID: c29t; Proxy: null)]",
				want: Denial{Denied: true, Category: "permission", Service: "s3", Code: "AccessDenied", Connector: tabFn},
			},
			{
				name: "function not found",
				in:   "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulatr",
				want: Denial{Category: "not_found", Service: "lambda", Code: "ResourceNotFoundException", Operation: "Invoke"},
			},
			{
				name: "concurrency throttled",
				in:   "An error occurred (TooManyRequestsException) when calling the Invoke operation (reached max retries: 4): Rate Exceeded.",
				want: Denial{Category: "throttling", Service: "lambda", Code: "TooManyRequestsException", Operation: "Invoke"},
			},
			{
				name: "Invoke refused, bare principal ARN without User:",
				in:   "AccessDeniedException: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: " + tabFn,
				want: Denial{Denied: true, Category: "permission", Actions: []string{"lambda:InvokeFunction"}, Resources: []string{tabFn}, Principal: bob, Service: "lambda", Code: "AccessDeniedException"},
			},
		}},
	}
}

func TestParseByService(t *testing.T) {
	for _, sc := range byService() {
		for _, tc := range sc.cases {
			t.Run(sc.service+"/"+tc.name, func(t *testing.T) {
				tc.want.Original = tc.in
				got := Parse(tc.in)
				checkInvariants(t, tc.in, got)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, show(got), show(tc.want))
				}
			})
		}
	}
}

// TestCutShort parses every case's text cut at many points: the record
// stays whole and consistent, and credentials problems stay what they
// are once the code has been read.
func TestCutShort(t *testing.T) {
	for _, tc := range allCases() {
		for n := 0; n <= len(tc.in); n += 7 {
			checkInvariants(t, tc.in[:n], Parse(tc.in[:n]))
		}
	}
}

func allCases() []parseCase {
	all := parseCases()
	for _, sc := range byService() {
		for _, tc := range sc.cases {
			tc.name = sc.service + " " + tc.name
			all = append(all, tc)
		}
	}
	return all
}

// TestFuzzCorpus keeps testdata/fuzz/FuzzParse in step with the cases, so
// that every `go test` replays each shape through the fuzz target.
// Regenerate with go test -run TestFuzzCorpus -update.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for _, tc := range allCases() {
		name := corpusName(tc.name)
		path := filepath.Join(dir, name)
		want := "go test fuzz v1\nstring(" + strconv.Quote(tc.in) + ")\n"
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("case %q has no corpus file %s (run go test -run TestFuzzCorpus -update)", tc.name, path)
			continue
		}
		if string(got) != want {
			t.Errorf("corpus file %s differs from case %q (run go test -run TestFuzzCorpus -update)", path, tc.name)
		}
	}
}

// corpusName turns a case name into a file name.
func corpusName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if s := b.String(); s != "" && s[len(s)-1] != '_' {
				b.WriteByte('_')
			}
		}
	}
	return strings.Trim(b.String(), "_")
}

// Package athenasrv is the sandbox's Amazon Athena endpoint (JSON 1.1,
// X-Amz-Target AmazonAthena.<Op>): query executions run on the sandbox's
// SQL engine over its Glue and Tabulator catalogs, workgroups, data
// catalogs, catalog browsing and saved queries, with replies shaped as
// Athena's API defines them.
//
// # Authorization
//
// Every call is authorized as the caller. athena:* actions are decided on
// the workgroup ARN (query executions, GetWorkGroup, saved queries) or the
// data catalog ARN (catalog browsing); ListWorkGroups and ListDataCatalogs
// on "*". A refusal is HTTP 400 AccessDeniedException with Athena's short
// text, which names no principal or resource.
//
// When Athena acts for the caller (reading Glue, S3 or the Tabulator
// Lambda, writing results) it authorizes as the caller with aws:CalledVia
// athena.amazonaws.com, as AWS's forward access sessions do:
//
//   - metadata calls refuse with MetadataException carrying Glue's or
//     Lambda's own text;
//   - StartQueryExecution refuses an output bucket the caller may not
//     s3:GetBucketLocation with "Unable to verify/create output bucket";
//   - at query time, a Glue table needs glue:GetTable and glue:GetDatabase
//     down the catalog > database > table hierarchy (and glue:GetPartitions
//     when partitioned), then s3:ListBucket on its bucket and s3:GetObject
//     on each of its objects; a Tabulator table needs athena:GetDataCatalog
//     on its catalog and lambda:InvokeFunction on the catalog's function
//     (the Lambda reads S3 with its own role, so no S3 check is made for the
//     caller); results need s3:PutObject on <id>.csv and <id>.csv.metadata.
//     A refusal fails the query with the StateChangeReason and AthenaError
//     Athena gives (ErrorType 1500 for Glue and Lambda, 1501 for S3 reads,
//     401 for the result write);
//   - GetQueryResults reads the result object with s3:GetObject.
//
// # Writes
//
// CTAS, INSERT INTO, CREATE [EXTERNAL] TABLE, CREATE [OR REPLACE] VIEW, DROP
// TABLE/VIEW and CREATE/DROP DATABASE run (writes.go), on the sandbox's CSV
// convention whatever the format property says. A CTAS without
// external_location writes under <output>tables/<id>/, as Athena does (and
// refuses external_location in a workgroup that enforces its location); an
// INSERT adds one object, <id>.csv, under the table's location; DROP TABLE
// leaves the data in S3. GetQueryResults reports the rows a CTAS or INSERT
// wrote as UpdateCount.
//
// Each statement is authorized as the caller via Athena with what
// engine/iam's Requirements lists for its kind, on the target's catalog >
// database > table hierarchy: glue:GetDatabase and glue:GetTable, then
// glue:CreateTable (CTAS, CREATE TABLE; with glue:BatchCreatePartition and
// glue:CreatePartition for a partitioned CREATE TABLE), glue:CreateTable and
// glue:UpdateTable (CREATE VIEW, new or replaced), glue:DeleteTable (DROP;
// with the partition actions for a partitioned table); for CTAS and INSERT
// s3:GetBucketLocation and s3:ListBucket on the target bucket and
// s3:PutObject and s3:AbortMultipartUpload on the object. CREATE DATABASE
// needs glue:CreateDatabase and DROP DATABASE glue:GetDatabase and
// glue:DeleteDatabase (with CASCADE, glue:GetTables and glue:DeleteTable on
// each table) on the catalog and the database. Tables a statement reads are
// authorized as a SELECT's. Refusals read as Athena's: Trino statements
// (CTAS, INSERT, views) "Insufficient permissions to execute the query."
// with Glue's text; Hive DDL (CREATE TABLE, DROP TABLE, databases) "FAILED:
// Execution Error, return code 1 from ...DDLTask. MetaException(...)"; both
// ErrorType 1500. A refused data write is "Access denied when writing to
// location: s3://..." with S3's text, ErrorType 1501.
//
// Every check, including the result file's s3:PutObject, is made before
// anything is stored, so a refused statement changes nothing and runs
// again as it is once the role is fixed. Athena may instead leave a CTAS's
// or INSERT's files behind when a late step fails.
//
// # What StartQueryExecution checks
//
// SQL that does not parse, or holds more than one statement, is refused
// by StartQueryExecution with 400 InvalidRequestException ("line 1:10:
// mismatched input 'FORM'. ...", "Only one sql statement is allowed. Got:
// ..."), as Athena does; Config.SyntaxErrors = SyntaxAtRun lets it start
// and fail with SYNTAX_ERROR instead, so that clients can meet both paths.
// Names are resolved when the query runs. ExecutionParameters fill the
// ? placeholders in turn, each a SQL literal, and are echoed by
// GetQueryExecution. ResultReuseConfiguration lets a repeat reuse the
// newest stored result of the same query (see Service.reuse for the
// conditions); the repeat gets its own id, points at the stored result,
// scans nothing and says ReusedPreviousResult.
//
// Saved queries are the stack's and those CreateNamedQuery makes while the
// sandbox runs (kept in memory). ListEngineVersions answers AUTO and
// Athena engine version 3. GetQueryRuntimeStatistics gives the timeline,
// the scan so far, and, once written, the result's rows and bytes.
//
// # Timing
//
// A query stays QUEUED for Config.Queue and RUNNING for at least Config.Run
// (and until its SQL finishes). A query may set its own times with a
// comment anywhere in its SQL, for benchmarks and demos:
//
//	-- sandbox: queue=0s run=3s
//
// Each value is a Go duration; either may be left out. CompletionDateTime
// is the moment the query was marked done, to the millisecond.
//
// The SQL engine reads the sandbox's small tables at once, but
// DataScannedInBytes grows over the run time as Athena's does: a running
// query reports what it has read times the share of its run time elapsed,
// never more than it read. A stopped or failed query keeps the figure it
// had reported; a finished one reports its whole scan.
//
// # Results
//
// Results are written into the sandbox's S3 at the output location (the
// workgroup's when it enforces its configuration): <id>.csv with a header
// row, every value in double quotes with quotes doubled, NULL as an empty
// unquoted field and "\n" line ends; SHOW and DESCRIBE write <id>.txt, one
// line per row, as Athena writes DDL and utility results as text.
//
// Athena also writes <id>.csv.metadata, an undocumented binary file. Its
// format as reverse-engineered by Athena users is a protocol-buffers
// message: field 1 an engine query id, then one field 4 per column, a
// message whose fields 1, 4, 5 and 6 are the catalog name, name, label and
// type, and field 9 the nullability (3 = UNKNOWN). The sandbox writes that
// layout; field numbers 2, 3 (schema and table name), 7, 8 (precision and
// scale) and 10 (case sensitivity) are inferred, not observed, so the
// file is a stand-in that readers of the real format should accept.
//
// GetQueryResults reads the CSV back: NextToken holds a byte offset into
// the result object, so each page costs what it returns, not what precedes
// it. The first page of a CSV result starts with the header row, as
// Athena's does.
//
// # Tabulator
//
// The Tabulator catalog (type LAMBDA) lists the buckets with Tabulator
// tables as its databases and their tables with the columns of their
// configuration. A table whose configuration does not parse is listed with
// no columns and the parameter "sandbox.error" holding the reason.
package athenasrv

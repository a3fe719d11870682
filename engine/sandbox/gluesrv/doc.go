// Package gluesrv is the sandbox's AWS Glue endpoint (JSON 1.1,
// X-Amz-Target AWSGlue.<Op>): the read side of the Data Catalog over the
// sandbox's metastore. Every call is authorized as Glue authorizes it,
// down the hierarchy catalog > database > table, and refusals name the
// first resource Glue would find denied.
//
// The hierarchy checks are exported (AuthorizeDatabase, AuthorizeTable),
// because the sandbox's Athena reads the same catalog as the caller and
// must decide exactly as Glue does.
package gluesrv

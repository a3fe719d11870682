// Package sandbox is the embedded Quilt stack: a Quilt catalog, its
// registry and an AWS endpoint (Athena, Glue, S3, STS) on one loopback
// listener. It speaks the real wire protocols, verifies SigV4 signatures
// with the secrets its registry issued, authorizes every AWS call by
// deciding it against every policy that bears on it (the role's identity
// policies and boundary, the credentials' session policies, SCPs, and the
// bucket, key or function policy), and words its refusals as AWS does.
// quiltq's client code runs against it unchanged, through the real AWS
// SDK, so it is both the offline demo (`quiltq --sandbox`) and the bed of
// every end-to-end test.
//
// The sandbox is a server: quiltq's client packages never import it.
package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/gluesrv"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/registry"
	"github.com/quiltq/quiltq/engine/sandbox/s3srv"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/stssrv"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// RegistryPath is where the registry is mounted on the listener. The
// catalog and the registry are two hosts in a real stack; serving the
// registry under its own path keeps clients honest about using
// config.json's registryUrl rather than the catalog's address.
const RegistryPath = "/registry"

// Options configure a sandbox.
type Options struct {
	// Stack is the world to serve; nil means the built-in default.
	Stack *stack.Stack
	// Latency delays every AWS request, as a network round trip would.
	Latency time.Duration
	// Queue and Run are how long each query stays QUEUED and RUNNING.
	Queue, Run time.Duration
	// BenchRows, when positive, sets the row count of benchmarks.numbers.
	BenchRows int
	// Faults injects failures into AWS requests.
	Faults Faults
	// CredentialTTL is how long issued AWS credentials live (default 1h);
	// AccessTokenTTL how long registry access tokens live (default 1h).
	CredentialTTL, AccessTokenTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives request logs (default: discarded).
	Log *slog.Logger
	// ScratchDir holds the SQL engine's files ("" means a temporary one).
	ScratchDir string
	// SyntaxErrors is where SQL that does not parse is refused: by
	// StartQueryExecution (the default, as Athena does) or by the query
	// failing with SYNTAX_ERROR.
	SyntaxErrors athenasrv.SyntaxErrors
}

// Server is a running sandbox's state and handler.
type Server struct {
	opts     Options
	stack    *stack.Stack
	keys     *principal.Keys
	authz    *principal.Authorizer
	store    *objstore.Store
	meta     *metastore.Store
	sql      *sqlrun.Engine
	registry *registry.Registry
	athena   *athenasrv.Service
	services map[string]awsService // by SigV4 service name
	faults   *faulter
}

// awsService is one AWS API of the sandbox. The request's signature has
// been verified and its caller identified before it is called.
type awsService interface {
	ServeAWS(w http.ResponseWriter, r *http.Request, c principal.Caller)
}

// New builds a sandbox from opts.
func New(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.CredentialTTL == 0 {
		opts.CredentialTTL = time.Hour
	}
	if opts.AccessTokenTTL == 0 {
		opts.AccessTokenTTL = time.Hour
	}
	st := opts.Stack
	if st == nil {
		var err error
		if st, err = stack.Default(); err != nil {
			return nil, err
		}
	}
	if opts.BenchRows > 0 {
		st.BenchRows = opts.BenchRows
	}
	s := &Server{opts: opts, stack: st}
	s.keys = principal.NewKeys(opts.CredentialTTL, opts.Now)
	s.authz = principal.NewAuthorizer(st.Region, opts.Now)
	if err := loadPolicies(st, s.authz); err != nil {
		return nil, err
	}
	var err error
	s.store = objstore.New(opts.Now)
	if err := stack.Populate(st, s.store); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if s.meta, err = metastore.New(st, s.store, opts.Now()); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if s.sql, err = sqlrun.New(opts.ScratchDir); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if s.registry, err = registry.New(registry.Config{
		Stack: st, Keys: s.keys, Now: opts.Now, AccessTokenTTL: opts.AccessTokenTTL, Log: opts.Log,
	}); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.athena = athenasrv.New(athenasrv.Config{
		Stack: st, Store: s.store, Meta: s.meta, SQL: s.sql, Authz: s.authz,
		Now: opts.Now, Queue: opts.Queue, Run: opts.Run, Log: opts.Log, SyntaxErrors: opts.SyntaxErrors,
	})
	s.services = map[string]awsService{
		"sts":    stssrv.New(stssrv.Config{Keys: s.keys}),
		"s3":     s3srv.New(s3srv.Config{Store: s.store, Authz: s.authz, Region: st.Region}),
		"glue":   gluesrv.New(gluesrv.Config{Meta: s.meta, Authz: s.authz, Region: st.Region, AccountID: st.AccountID}),
		"athena": s.athena,
	}
	s.faults = newFaulter(opts.Faults)
	return s, nil
}

// Close cancels the queries still running, waits for them, and releases
// the SQL engine's files.
func (s *Server) Close() error {
	s.athena.Close()
	return s.sql.Close()
}

// Stack is the world the sandbox serves.
func (s *Server) Stack() *stack.Stack { return s.stack }

// Authorizer lets tests change a role's policies while the sandbox runs.
func (s *Server) Authorizer() *principal.Authorizer { return s.authz }

// Known is every policy that bears on the requests of role's sessions,
// as the stack's administrator sees them: the role's identity policies
// and boundary, the session policies the registry's credentials for it
// carry, the SCPs, and the policies and owners of buckets, keys and
// functions. A front end hands it to the session, so that the check
// before sending decides as the sandbox will.
func (s *Server) Known(role string) iam.Known {
	return s.authz.Known(principal.Caller{Role: role, AccountID: s.stack.AccountID, Session: s.registry.Session(role)})
}

// PutRolePolicy adds the inline policy name to role, or replaces the
// role's policy of that name, as IAM's PutRolePolicy does. It takes effect
// on the next call the role's sessions make, so that a test can apply a
// suggested fix and run the refused query again. The document is a policy
// JSON; an unknown role or a document that does not parse is an error.
func (s *Server) PutRolePolicy(role, name string, document []byte) error {
	known := false
	for _, r := range s.stack.Roles {
		known = known || r.Name == role
	}
	if !known {
		return fmt.Errorf("sandbox: no role %q in stack %s; roles are named in its roles: list", role, s.stack.Name)
	}
	if name == "" {
		return fmt.Errorf("sandbox: PutRolePolicy on %s: the policy needs a name", role)
	}
	p, err := iam.Parse(role+"/"+name, document)
	if err != nil {
		return fmt.Errorf("sandbox: role %s: %w", role, err)
	}
	s.authz.PutPolicy(role, p)
	return nil
}

// Policies are role's identity policies as they are now. With
// PutRolePolicy, it makes the server the session's editor of the
// sandbox's roles (session.RoleEditor), for the workbench to apply a fix.
func (s *Server) Policies(role string) []*iam.Policy { return s.authz.Policies(role) }

// PutResourcePolicy sets the resource-based policy of a bucket
// (arn:aws:s3:::NAME), a KMS key or a Lambda function, replacing the one
// it had, as PutBucketPolicy, PutKeyPolicy and AddPermission do. It takes
// effect on the next call. A document that does not parse as a
// resource-based policy (every statement needs a Principal) is an error.
func (s *Server) PutResourcePolicy(arn string, document []byte) error {
	p, err := iam.ParseResource(arn+" policy", document)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	r := s.authz.Resource(arn)
	r.Policy = p
	s.authz.SetResource(arn, r)
	return nil
}

// GrantBucket grants bucket to a managed Quilt role, as the stack's Quilt
// admin does in the catalog: its users see the bucket in GraphQL buckets
// at once, and the credentials the registry issues from then on carry a
// session policy that allows it (see registry.Registry.GrantBucket).
func (s *Server) GrantBucket(role, bucket string) error { return s.registry.GrantBucket(role, bucket) }

// Keys is the store of issued credentials.
func (s *Server) Keys() *principal.Keys { return s.keys }

// Store is the sandbox's S3 storage.
func (s *Server) Store() *objstore.Store { return s.store }

// Registry is the sandbox's Quilt registry.
func (s *Server) Registry() *registry.Registry { return s.registry }

// Handler serves the catalog, the registry and the AWS endpoint.
func (s *Server) Handler() http.Handler {
	catalog := s.registry.CatalogHandler()
	api := http.StripPrefix(RegistryPath, s.registry.APIHandler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isSigned(r) {
			s.serveAWS(w, r)
			return
		}
		registry := r.URL.Path == RegistryPath || strings.HasPrefix(r.URL.Path, RegistryPath+"/")
		if !registry {
			if service := s.anonymousService(r); service != "" {
				s.opts.Log.Info("aws", "service", service, "op", operation(service, r), "caller", "anonymous", "status", "refused")
				s.refuseAnonymous(w, r, service)
				return
			}
		}
		// The catalog's and the registry's requests are logged too (path
		// only: tokens travel in bodies and headers), so that the log
		// counts every round trip a client makes.
		start := s.opts.Now()
		rec := &statusRecorder{ResponseWriter: w}
		if registry {
			api.ServeHTTP(rec, r)
		} else {
			catalog.ServeHTTP(rec, r)
		}
		s.opts.Log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", s.opts.Now().Sub(start).Milliseconds())
	})
}

// isSigned reports whether r carries a SigV4 signature, in its
// Authorization header or (presigned) in its query.
func isSigned(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-") || r.URL.Query().Has("X-Amz-Algorithm")
}

func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	start := s.opts.Now()
	rec := &statusRecorder{ResponseWriter: w}
	caller, service, fail := authenticate(s.keys, r)
	defer func() {
		// Named after the request is served: a query-protocol action (STS)
		// is in the form, which the service parses.
		s.opts.Log.Info("aws", "service", service, "op", operation(service, r), "status", rec.status, "caller", caller.ARN(), "ms", s.opts.Now().Sub(start).Milliseconds())
	}()
	if fail != nil {
		writeError(rec, r, service, fail)
		return
	}
	svc, ok := s.services[service]
	if !ok {
		writeError(rec, r, service, wire.NewError(http.StatusBadRequest, "UnknownOperationException", "the sandbox does not serve the "+service+" service"))
		return
	}
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if f := s.faults.pick(); f != noFault {
		if s.faults.inject(f, rec, r, service, func(w http.ResponseWriter) { svc.ServeAWS(w, r, caller) }) {
			return
		}
	}
	svc.ServeAWS(rec, r, caller)
}

// writeError writes e in the protocol of service.
func writeError(w http.ResponseWriter, r *http.Request, service string, e *wire.Error) {
	switch service {
	case "s3":
		wire.S3Error(w, r, e)
	case "sts":
		wire.QueryError(w, "https://sts.amazonaws.com/doc/2011-06-15/", e)
	default:
		wire.JSONError(w, e)
	}
}

// operation names the API operation of r, for logs.
func operation(service string, r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ := strings.Cut(t, ".")
		return op
	}
	if r.Form != nil {
		if a := r.Form.Get("Action"); a != "" {
			return a
		}
	}
	return r.Method + " " + r.URL.Path
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for faults
// that cut it).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

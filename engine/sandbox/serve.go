package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Info is what a client needs to use a running sandbox: the line that
// `quiltq sandbox serve` prints.
type Info struct {
	CatalogURL     string `json:"catalog_url"`
	RegistryURL    string `json:"registry_url"`
	AWSEndpointURL string `json:"aws_endpoint_url"`
	Region         string `json:"region"`
	AccountID      string `json:"account_id"`
	// UserAthenaDatabase and IcebergDatabase are the stack outputs
	// UserAthenaDatabaseName and IcebergDatabaseName: the Glue databases
	// of Quilt's per-bucket tables and of its Iceberg package index. A
	// real catalog's config.json has neither (quiltdata/quilt,
	// catalog/config-schema.json); a stack's CloudFormation outputs do.
	UserAthenaDatabase string     `json:"user_athena_database,omitempty"`
	IcebergDatabase    string     `json:"iceberg_database,omitempty"`
	Users              []UserInfo `json:"users"`
}

// UserInfo names a sandbox user and the refresh token that logs them in.
type UserInfo struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	RefreshToken string `json:"refresh_token"`
}

// User is the sandbox's user called name (or with that email), in any
// case; an unknown name is an error that lists the users there are.
func (in Info) User(name string) (UserInfo, error) {
	var names []string
	for _, u := range in.Users {
		if strings.EqualFold(u.Name, name) || strings.EqualFold(u.Email, name) {
			return u, nil
		}
		names = append(names, u.Name)
	}
	return UserInfo{}, fmt.Errorf("the sandbox has no user %q; it has %s", name, strings.Join(names, ", "))
}

// Running is a sandbox listening on loopback.
type Running struct {
	*Server
	Info Info
	http *http.Server
	done chan error
}

// Start builds a sandbox from opts and serves it on addr, which must be a
// loopback address ("127.0.0.1:0" picks a free port). The sandbox hands out
// working credentials to anyone who asks, so it never listens elsewhere.
func Start(addr string, opts Options) (*Running, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	srv, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	base := "http://" + ln.Addr().String()
	r := &Running{
		Server: srv,
		Info:   srv.info(base),
		http:   &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second},
		done:   make(chan error, 1),
	}
	go func() { r.done <- r.http.Serve(ln) }()
	return r, nil
}

// Close stops serving, waiting a moment for requests in flight, and
// releases the sandbox's files. Connections that clients opened but never
// used (HTTP clients dial ahead) are closed rather than waited for: the
// server would otherwise wait five seconds before it counts them idle.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := r.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = r.http.Close()
	}
	if serveErr := <-r.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return errors.Join(err, r.Server.Close())
}

func (s *Server) info(base string) Info {
	in := Info{
		CatalogURL:     base,
		RegistryURL:    base + RegistryPath,
		AWSEndpointURL: base,
		Region:         s.stack.Region,
		AccountID:      s.stack.AccountID,

		UserAthenaDatabase: s.stack.UserAthenaDatabase,
	}
	if s.stack.Iceberg != nil {
		in.IcebergDatabase = s.stack.Iceberg.Database
	}
	for _, u := range s.stack.Users {
		tok, _ := s.registry.RefreshToken(u.Name)
		in.Users = append(in.Users, UserInfo{Name: u.Name, Email: u.Email, Role: u.Role, RefreshToken: tok})
	}
	return in
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("sandbox: address %q is not a loopback address: the sandbox serves working credentials to anyone, so it listens only on 127.0.0.1, ::1 or localhost", addr)
}

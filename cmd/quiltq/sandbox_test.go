package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSandboxServePrintsOneLineAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--bench-rows", "100", "--syntax-errors", "run"},
			streams{In: strings.NewReader(""), Out: outW, Err: &stderr}, func(string) string { return "" })
		outW.Close()
	}()

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, outR)
	}()
	var line string
	select {
	case line = <-lines:
	case code := <-done:
		t.Fatalf("serve exited %d before printing its line; stderr: %s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no line on stdout; stderr: %s", stderr.String())
	}

	var info struct {
		CatalogURL     string `json:"catalog_url"`
		RegistryURL    string `json:"registry_url"`
		AWSEndpointURL string `json:"aws_endpoint_url"`
		Region         string `json:"region"`
		AccountID      string `json:"account_id"`
		UserDatabase   string `json:"user_athena_database"`
		IcebergDB      string `json:"iceberg_database"`
		Users          []struct {
			Name, Email, Role string
			RefreshToken      string `json:"refresh_token"`
		} `json:"users"`
	}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		t.Fatalf("the line %q is not the documented JSON: %v", line, err)
	}
	if !strings.HasPrefix(info.CatalogURL, "http://127.0.0.1:") || info.RegistryURL == "" || info.AWSEndpointURL == "" {
		t.Errorf("URLs: %+v", info)
	}
	if info.Region != "us-east-1" || info.AccountID != "123456789012" {
		t.Errorf("region %q account %q, want us-east-1 123456789012", info.Region, info.AccountID)
	}
	if info.UserDatabase != "userathenadatabase-k3v9q2m7xw1p" || info.IcebergDB != "icebergdatabase-7c4m2x9q0hzt" {
		t.Errorf("stack outputs: user database %q, Iceberg database %q", info.UserDatabase, info.IcebergDB)
	}
	emails := map[string]bool{}
	for _, u := range info.Users {
		emails[u.Email] = u.RefreshToken != "" && u.Role != ""
	}
	for _, want := range []string{"analyst@example.com", "reader@example.com", "admin@example.com"} {
		if !emails[want] {
			t.Errorf("user %s missing, or without role or refresh token, in %+v", want, info.Users)
		}
	}

	// The catalog answers at the printed address.
	resp, err := http.Get(info.CatalogURL + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct{ RegistryURL, Region string }
	err = json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	if err != nil || cfg.RegistryURL != info.RegistryURL || cfg.Region != info.Region {
		t.Errorf("config.json: %+v, %v; want registryUrl %s", cfg, err, info.RegistryURL)
	}

	// --syntax-errors run: SQL that does not parse starts, then fails.
	var admin string
	for _, u := range info.Users {
		if u.Name == "admin" {
			admin = u.RefreshToken
		}
	}
	r := quiltq(t, context.Background(), map[string]string{"QUILTQ_CATALOG_URL": info.CatalogURL, "QUILTQ_TOKEN": admin, "AWS_ENDPOINT_URL": info.AWSEndpointURL},
		"", "-e", "SELECT * FORM sales.orders")
	if r.code != exitFailed || !strings.Contains(r.stderr, "SYNTAX_ERROR: line 1:10:") {
		t.Errorf("with --syntax-errors run: exit %d, stderr %s; want 1 and the query's SYNTAX_ERROR", r.code, r.stderr)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d after cancel, want 0; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}

func TestSandboxServeUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sandbox"}, "usage: quiltq sandbox serve"},
		{[]string{"sandbox", "serve", "--addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"sandbox", "serve", "--fault-cut", "2"}, "fault fractions"},
		{[]string{"sandbox", "serve", "--stack", "/no/such/stack.yaml"}, "no such file"},
		{[]string{"sandbox", "serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"sandbox", "serve", "--syntax-errors", "later"}, "want start (refused by StartQueryExecution) or run"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, func(string) string { return "" })
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tc.args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr %q does not say %q", tc.args, stderr.String(), tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: wrote %q on stdout", tc.args, stdout.String())
		}
	}
}

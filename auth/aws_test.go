package auth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

func TestAWSConfigWithSession(t *testing.T) {
	// Throttle some STS calls: the standard retryer must carry them.
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.4, Seed: 7}})
	reg, count := registryFor(t, env)
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "analyst").RefreshToken}, SessionOptions{Source: SourceSandbox})
	p := AWSParams{Region: env.Info.Region, Endpoint: env.Info.AWSEndpointURL, Credentials: s}
	if got := p.Source(); got != SourceSandbox {
		t.Errorf("Source = %q, want sandbox", got)
	}
	ctx := context.Background()
	cfg, err := AWSConfig(ctx, p)
	if err != nil {
		t.Fatalf("AWSConfig: %v", err)
	}
	if _, ok := cfg.Credentials.(*aws.CredentialsCache); !ok {
		t.Errorf("credentials are a %T, want *aws.CredentialsCache", cfg.Credentials)
	}
	client := sts.NewFromConfig(cfg)
	retried := 0
	for i := range 4 {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity %d: %v", i, err)
		}
		if arn := aws.ToString(out.Arn); !strings.HasSuffix(arn, "/analyst") {
			t.Errorf("caller %s, want the analyst", arn)
		}
		if r, ok := retry.GetAttemptResults(out.ResultMetadata); ok && len(r.Results) > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Errorf("no call was retried, want the throttled ones retried")
	}
	// The cache kept the credentials: one exchange, one fetch.
	if count.get(tokenPath) != 1 || count.get(credsPath) != 1 {
		t.Errorf("%d exchanges and %d credential fetches, want 1 and 1", count.get(tokenPath), count.get(credsPath))
	}

	r := cfg.Retryer()
	if !r.IsErrorRetryable(&smithy.GenericAPIError{Code: "ThrottlingException"}) || r.MaxAttempts() < 3 {
		t.Errorf("the retryer does not retry throttling (max attempts %d)", r.MaxAttempts())
	}

	_, err = AWSConfig(ctx, AWSParams{Credentials: s})
	wantKind(t, err, engine.Invalid, []string{"no AWS region"})
}

// TestAWSConfigProfile reaches the sandbox with static keys from a shared
// credentials file, as a user outside Quilt would.
func TestAWSConfigProfile(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	creds := env.Credentials(t, "reader")
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", write("config", "[profile sbx]\nregion = "+env.Info.Region+"\n"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", write("credentials", fmt.Sprintf(
		"[sbx]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)))
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(k, "")
	}

	ctx := context.Background()
	p := AWSParams{Endpoint: env.Info.AWSEndpointURL, AWSProfile: "sbx"}
	if got := p.Source(); got != "aws profile sbx" {
		t.Errorf("Source = %q, want aws profile sbx", got)
	}
	cfg, err := AWSConfig(ctx, p)
	if err != nil {
		t.Fatalf("AWSConfig: %v", err)
	}
	if cfg.Region != env.Info.Region {
		t.Errorf("region %q, want the profile's %q", cfg.Region, env.Info.Region)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if arn := aws.ToString(out.Arn); !strings.HasSuffix(arn, "/reader") {
		t.Errorf("caller %s, want the reader", arn)
	}

	_, err = AWSConfig(ctx, AWSParams{AWSProfile: "nope"})
	wantKind(t, err, engine.Invalid, []string{"aws profile nope"})
	if got := (AWSParams{}).Source(); got != "aws default chain" {
		t.Errorf("Source = %q, want aws default chain", got)
	}
}

// A reply whose body is cut short is retried like a throttled one: every
// call quiltq makes is safe to repeat.
func TestAWSConfigRetriesCutBodies(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Cut: 0.3, Seed: 11}})
	reg, _ := registryFor(t, env)
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "admin").RefreshToken}, SessionOptions{Source: SourceSandbox})
	cfg, err := AWSConfig(context.Background(), AWSParams{Region: env.Info.Region, Endpoint: env.Info.AWSEndpointURL, Credentials: s})
	if err != nil {
		t.Fatal(err)
	}
	client := sts.NewFromConfig(cfg)
	retried := 0
	for i := range 10 {
		out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity %d failed although cut replies are retried: %v", i, err)
		}
		if r, ok := retry.GetAttemptResults(out.ResultMetadata); ok && len(r.Results) > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no call was retried, want the cut ones retried")
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"10GB", 10 << 30, false},
		{"500MB", 500 << 20, false},
		{"500 mb", 500 << 20, false},
		{"1.5TB", 3 << 39, false},
		{"2KiB", 2048, false},
		{"1048576", 1 << 20, false},
		{"10XB", 0, true},
		{"", 0, true},
		{"-5MB", 0, true},
		{"0GB", 0, true},
		{"GB", 0, true},
	} {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "such as 500MB") {
			t.Errorf("ParseSize(%q) error %q does not say what to write", tt.in, err)
		}
	}
}

func TestParseReuse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30m", 30 * time.Minute, false},
		{"168h", 168 * time.Hour, false},
		{"30s", 0, true},
		{"169h", 0, true},
		{"soon", 0, true},
	} {
		got, err := ParseReuse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseReuse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestGuardSettings(t *testing.T) {
	e, _ := writeConfig(t, "[profiles.safe]\nmax_scan = \"500MB\"\nreuse = \"1h\"\nread_only = true\n")
	s, err := Load(e.get, "safe")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.MaxScan(); got != 500<<20 {
		t.Errorf("MaxScan = %d, want %d", got, 500<<20)
	}
	if got := s.Reuse(); got != time.Hour {
		t.Errorf("Reuse = %v, want 1h", got)
	}
	if !s.ReadOnly() {
		t.Error("ReadOnly = false, want true")
	}
	if err := s.Set("max_scan", "lots", "flag --max-scan"); err == nil || !strings.Contains(err.Error(), "max_scan") {
		t.Errorf("Set(max_scan, lots) = %v, want an error naming max_scan", err)
	}
	d, err := Load(e.get, "default")
	if err != nil {
		t.Fatal(err)
	}
	if d.MaxScan() != 0 || d.Reuse() != 0 || d.ReadOnly() {
		t.Errorf("defaults: max scan %d, reuse %v, read only %v; want none", d.MaxScan(), d.Reuse(), d.ReadOnly())
	}
	if _, err := Load(e.get, "safe"); err != nil {
		t.Fatal(err)
	}
	bad, _ := writeConfig(t, "[profiles.x]\nmax_scan = \"ten gigs\"\n")
	if _, err := Load(bad.get, "x"); err == nil || !strings.Contains(err.Error(), "max_scan") {
		t.Errorf("a bad max_scan: %v, want an error naming it", err)
	}
}

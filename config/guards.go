package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The guards a profile may set (issue 18): a scan limit quiltq enforces
// itself (max_scan), Athena's result reuse (reuse) and a profile that
// sends no writes (read_only).
//
//	max_scan  = "10GB"   # stop a query once it has scanned more (1 MB = 2^20 bytes)
//	reuse     = "1h"     # let Athena answer with a stored result this young
//	read_only = true     # refuse every statement that writes, before sending

// sizeUnits are the units ParseSize reads. They are binary, as Athena's
// "10 MB minimum per query" is in engine.BilledBytes: 1 MB is 2^20 bytes,
// 1 TB 2^40.
func sizeUnits() map[string]int64 {
	return map[string]int64{
		"": 1, "B": 1,
		"KB": 1 << 10, "KIB": 1 << 10, "K": 1 << 10,
		"MB": 1 << 20, "MIB": 1 << 20, "M": 1 << 20,
		"GB": 1 << 30, "GIB": 1 << 30, "G": 1 << 30,
		"TB": 1 << 40, "TIB": 1 << 40, "T": 1 << 40,
		"PB": 1 << 50, "PIB": 1 << 50, "P": 1 << 50,
	}
}

// ParseSize reads a size such as 10GB, 500MB, 1.5TB or 1048576 (bytes)
// into bytes. Units are binary (1 MB = 2^20 bytes) and their case does
// not matter.
func ParseSize(v string) (int64, error) {
	t := strings.TrimSpace(v)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	}
	mult, ok := sizeUnits()[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || f <= 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a size: write a positive number of bytes with a unit, such as 500MB, 10GB or 1TB", v)
	}
	b := f * float64(mult)
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large a size", v)
	}
	return max(int64(math.Ceil(b)), 1), nil
}

// MaxReuse is the oldest stored result Athena may reuse: 10080 minutes
// (botocore's athena model, ResultReuseByAgeConfiguration.MaxAgeInMinutes:
// min 0, max 10080).
const MaxReuse = 10080 * time.Minute

// ParseReuse reads a result reuse age such as 30m, 1h or 168h: whole
// minutes from 1m to 168h, as Athena counts them.
func ParseReuse(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < time.Minute || d > MaxReuse {
		return 0, fmt.Errorf("%q is not a result reuse age: give a duration from 1m to 168h (7 days, Athena's limit), such as 30m or 1h", v)
	}
	return d, nil
}

func checkSize(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
		if _, err := ParseSize(v); err != nil {
			return "", fmt.Errorf("%s %w", name, err)
		}
		return strings.TrimSpace(v), nil
	}
}

func checkReuse(v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	d, err := ParseReuse(v)
	if err != nil {
		return "", fmt.Errorf("reuse %w", err)
	}
	return d.String(), nil
}

// MaxScan is the scan limit quiltq enforces itself, in bytes (max_scan,
// --max-scan); 0 for none.
func (s *Settings) MaxScan() int64 {
	n, _ := ParseSize(s.value("max_scan")) // every stored value passed checkSize
	return n
}

// Reuse is how old a stored result Athena may answer with (reuse,
// --reuse); 0 for no reuse.
func (s *Settings) Reuse() time.Duration {
	d, _ := ParseReuse(s.value("reuse")) // every stored value passed checkReuse
	return d
}

// ReadOnly reports whether the profile refuses every statement that
// writes (read_only).
func (s *Settings) ReadOnly() bool { return s.value("read_only") == "true" }

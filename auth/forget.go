package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Forgotten is what Forget did in one store.
type Forgotten struct {
	// Store is the store's Name (SourceKeyring or SourceFile), Where its
	// Where.
	Store, Where string
	// Removed counts the logins the store held under the keys given, all
	// of which it no longer holds.
	Removed int
	// Err is why the store could not be asked or changed (nil when it
	// was): a login may remain there.
	Err error
}

// String says it in one line, for `quiltq logout`: "removed the login
// from the OS keyring (service quiltq)", "no login in the plain-text file
// ...", "could not check the OS keyring ...: why". It names stores, never
// a secret.
func (f Forgotten) String() string {
	switch {
	case f.Err != nil && errors.Is(f.Err, ErrNoKeyring):
		return fmt.Sprintf("could not check %s, so a login may remain there: %v", f.Where, f.Err)
	case f.Err != nil:
		return fmt.Sprintf("could not remove the login from %s, so it may remain there: %v", f.Where, f.Err)
	case f.Removed == 0:
		return "no login in " + f.Where
	case f.Removed == 1:
		return "removed the login from " + f.Where
	}
	return fmt.Sprintf("removed %d logins from %s", f.Removed, f.Where)
}

// Forget removes every secret quiltq keeps under any of keys (the
// registry URLs a catalog's logins were stored under) from every store
// given, the OS keyring and the plain-text file alike, whichever store the
// login was last made in: a login made with --insecure-storage and
// another in the keyring are both gone afterwards. It tries every store
// even when one fails, and says what each held and removed.
func Forget(ctx context.Context, keys []string, stores ...SecretStore) []Forgotten {
	out := make([]Forgotten, 0, len(stores))
	for _, s := range stores {
		f := Forgotten{Store: s.Name(), Where: s.Where()}
		for _, key := range dedupe(keys) {
			removed, err := removeFrom(ctx, s, key)
			if err != nil {
				f.Err = err
				break
			}
			if removed {
				f.Removed++
			}
		}
		out = append(out, f)
	}
	return out
}

// ForgetErr is the error of a Forget that left something behind: the
// stores it could not check or change, or nil.
func ForgetErr(fs []Forgotten) error {
	var msgs []string
	var errs []error
	for _, f := range fs {
		if f.Err != nil {
			msgs = append(msgs, f.String())
			errs = append(errs, f.Err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	// The kind and sentinels of the first failure stay reachable.
	return &forgetError{msg: strings.Join(msgs, "; "), errs: errs}
}

type forgetError struct {
	msg  string
	errs []error
}

func (e *forgetError) Error() string   { return e.msg }
func (e *forgetError) Unwrap() []error { return e.errs }

// remover is a store that can say whether a Delete removed anything.
type remover interface {
	remove(ctx context.Context, key string) (bool, error)
}

// removeFrom removes key from s and reports whether s held it.
func removeFrom(ctx context.Context, s SecretStore, key string) (bool, error) {
	if r, ok := s.(remover); ok {
		return r.remove(ctx, key)
	}
	_, err := s.Load(ctx, key)
	held := !errors.Is(err, ErrNotStored)
	if err := s.Delete(ctx, key); err != nil {
		return false, err
	}
	return held, nil
}

func dedupe(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

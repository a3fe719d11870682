package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/ui/print"
)

// Shell completion (`quiltq completion bash|zsh|fish|powershell`, cobra's
// scripts) completes commands and flags, and the values below from what
// is on disk only: profiles and workgroups from the config file, catalog,
// database and table names from the listing cache that `quiltq ls` and the
// workbench keep. Completion never calls AWS, the registry or the keyring:
// a shell waits for it at every tab.

// completions registers the completion of flag values on the whole tree.
func (c *cli) completions(root *cobra.Command) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = root.RegisterFlagCompletionFunc("profile", c.completeProfiles)
	_ = root.RegisterFlagCompletionFunc("sandbox-user", fixed("analyst", "reader", "admin"))
	_ = root.RegisterFlagCompletionFunc("syntax-errors", fixed("start", "run"))
	_ = root.RegisterFlagCompletionFunc("output", fixed(print.Formats()...))
	_ = root.RegisterFlagCompletionFunc("fetch", fixed("auto", "s3", "api"))
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		for name, fn := range map[string]cobra.CompletionFunc{
			"catalog": c.completeCatalogs, "data-catalog": c.completeCatalogs,
			"database": c.completeDatabases, "workgroup": c.completeWorkgroups,
			"syntax-errors": fixed("start", "run"), // sandbox serve's own
		} {
			if cmd.Flags().Lookup(name) != nil { // its own flags: none merged yet
				_ = cmd.RegisterFlagCompletionFunc(name, fn)
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeProfiles are the config file's profiles.
func (c *cli) completeProfiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	s, err := config.Load(c.getenv, "")
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return s.Profiles, cobra.ShellCompDirectiveNoFileComp
}

// completeWorkgroups are the workgroups the config file's profiles name.
func (c *cli) completeWorkgroups(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	s, err := config.Load(c.getenv, "")
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, p := range append([]string{s.Profile}, s.Profiles...) {
		if ps, err := config.Load(c.getenv, p); err == nil && ps.Workgroup() != "" && !slices.Contains(out, ps.Workgroup()) {
			out = append(out, ps.Workgroup())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeCatalogs are the data catalogs of the cached listing.
func (c *cli) completeCatalogs(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, cat := range c.cachedListing().Catalogs {
		out = append(out, cat.Name)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeDatabases are the databases of the cached listing, of -c's
// catalog when it is given.
func (c *cli) completeDatabases(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, cat := range c.cachedListing().Catalogs {
		if c.g.catalog != "" && !strings.EqualFold(cat.Name, c.g.catalog) {
			continue
		}
		for _, db := range cat.Databases {
			if !slices.Contains(out, db.Name) {
				out = append(out, db.Name)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeNames completes one argument naming a catalog, a database or a
// table (depth 2: CATALOG[.DATABASE], as ls takes; depth 3: up to
// CATALOG.DATABASE.TABLE, as describe takes), a part at a time: a name
// that goes on ends in "." and takes no space after it.
func (c *cli) completeNames(depth int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := c.cachedListing().Names(depth)
		var out []string
		goesOn := false
		for _, n := range names {
			if strings.HasPrefix(strings.ToLower(n), strings.ToLower(toComplete)) && !(n == toComplete && strings.HasSuffix(n, ".")) {
				out = append(out, n)
				goesOn = goesOn || strings.HasSuffix(n, ".")
			}
		}
		dir := cobra.ShellCompDirectiveNoFileComp
		if goesOn {
			dir |= cobra.ShellCompDirectiveNoSpace
		}
		return out, dir
	}
}

// cachedListing is the newest cached listing made where the command would
// go: the embedded sandbox with --sandbox, else the profile's catalog.
// Who made it (the principal) is not checked, as that takes a call to
// STS; the cache holds only this user's listings.
func (c *cli) cachedListing() engine.Listing {
	paths, err := config.PathsFrom(c.getenv)
	if err != nil || paths.CacheDir == "" {
		return engine.Listing{}
	}
	match := catalogcache.AtEndpoint(sandboxPlace)
	if !c.g.sandbox {
		s, err := config.Load(c.getenv, c.g.profile)
		if err != nil || s.CatalogURL() == "" {
			return engine.Listing{}
		}
		match = catalogcache.AtCatalog(s.CatalogURL())
	}
	cache := &catalogcache.Cache{Dir: catalogcache.DirIn(paths.CacheDir)}
	return cache.Newest(match)
}

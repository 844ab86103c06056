package clientele_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The architecture rules of docs/ARCHITECTURE.md ("Rules the code keeps",
// rule 1), checked on the real import graph.

const module = "github.com/clientele-go/clientele"

// domainPackages must stay pure: no storage, no database, no adapter.
var domainPackages = []string{
	module + "/address",
	module + "/balance",
	module + "/customer",
	module + "/group",
	module + "/market",
	module + "/merchant",
	module + "/order",
	module + "/actor",
	module + "/credential",
	module + "/event",
	module + "/internal/validation",
	module + "/internal/textnorm",
	module + "/internal/phone",
	module + "/errcode",
	module + "/page",
	module + "/password",
	module + "/wallet",
	module + "/subscription",
	module + "/company",
	module + "/verification",
	module + "/operator",
	module + "/privacy",
	module + "/bulk",
	module + "/consent",
	module + "/segment",
	module + "/pricing",
}

// allowedForDomain is everything a domain package may import besides the
// standard library and the other domain packages: the leaf packages, and
// the third-party libraries that hold the domain's value types (UUIDs,
// decimals, ISO 4217 currencies, Unicode normalization, IDNA, phone
// numbers). Anything else (a driver, an HTTP client, a logger) fails the
// build until it is added here on purpose.
func allowedForDomain(dep string) bool {
	if !strings.Contains(strings.Split(dep, "/")[0], ".") {
		return true // the standard library
	}
	if slices.Contains(domainPackages, dep) {
		return true
	}
	for _, prefix := range []string{
		"github.com/google/uuid",
		"github.com/shopspring/decimal",
		"github.com/bojanz/currency",
		"github.com/nyaruka/phonenumbers",
		"golang.org/x/text/",
		"golang.org/x/net/idna",
		"github.com/mtibben/confusables", // Unicode TS #39 skeletons, behind textnorm.Skeleton
		"golang.org/x/crypto/",           // argon2, bcrypt, scrypt: password hashing is computation, no I/O
	} {
		if dep == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(dep, prefix) {
			return true
		}
	}
	return false
}

// listedPackage is the part of `go list -json` output the checks read.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Error      *struct{ Err string }
}

// importGraph is the import graph of some packages and all their
// dependencies, as go list -deps reports it.
type importGraph map[string]listedPackage

func goListGraph(t *testing.T, pkgs ...string) importGraph {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command("go", append([]string{"list", "-deps", "-e", "-json=ImportPath,Imports,Deps,Error"}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	g := importGraph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		require.Nil(t, p.Error, "go list %s", p.ImportPath)
		g[p.ImportPath] = p
	}
	for _, p := range pkgs {
		require.Contains(t, g, p, "go list did not report %s", p)
	}
	return g
}

func inModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// ownImports returns what root and the packages of this module it reaches
// import: the module's own packages and their direct imports. Packages of
// other modules are not followed (google/uuid and shopspring/decimal import
// database/sql/driver to implement driver.Valuer; that is not a rule
// violation of ours).
func (g importGraph) ownImports(root string) []string {
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range g[p].Imports {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if inModule(imp) {
				queue = append(queue, imp)
			}
		}
	}
	delete(seen, root)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// forbiddenForDomain reports whether a domain package may not depend on dep.
func forbiddenForDomain(dep string) bool {
	return dep == module+"/storage" || strings.HasPrefix(dep, module+"/storage/") ||
		dep == "database/sql" || strings.HasPrefix(dep, "database/sql/") ||
		dep == module // the services
}

// forbiddenForStorage reports whether the storage contract may not depend on
// dep: any adapter or test suite under storage/, and the services.
func forbiddenForStorage(dep string) bool {
	return strings.HasPrefix(dep, module+"/storage/") || dep == module
}

func violations(deps []string, forbidden func(string) bool) []string {
	var bad []string
	for _, d := range deps {
		if forbidden(d) {
			bad = append(bad, d)
		}
	}
	return bad
}

func TestArchitecture_DomainPackagesDoNotImportStorage(t *testing.T) {
	g := goListGraph(t, append(slices.Clone(domainPackages), module, module+"/storage/memory", module+"/storage")...)

	t.Run("the detector flags known imports", func(t *testing.T) {
		// The root package and the memory adapter import storage: if the
		// detector did not flag them, a passing check would mean nothing.
		assert.Contains(t, violations(g.ownImports(module), forbiddenForDomain), module+"/storage")
		assert.Contains(t, violations(g.ownImports(module+"/storage/memory"), forbiddenForDomain), module+"/storage")
		assert.Contains(t, violations([]string{"fmt", "database/sql/driver"}, forbiddenForDomain), "database/sql/driver")
		assert.Contains(t, violations([]string{module + "/storage/sqlstore"}, forbiddenForStorage), module+"/storage/sqlstore")
		assert.Empty(t, violations([]string{"fmt", module + "/storagex"}, forbiddenForDomain))
		// A transitive import through another module is not ours: uuid
		// brings in database/sql/driver, and it is not reported.
		assert.Contains(t, g[module+"/customer"].Deps, "database/sql/driver")
		assert.NotContains(t, g.ownImports(module+"/customer"), "database/sql/driver")
	})
	for _, pkg := range domainPackages {
		t.Run(strings.TrimPrefix(pkg, module+"/"), func(t *testing.T) {
			assert.Empty(t, violations(g.ownImports(pkg), forbiddenForDomain),
				"%s (or a package of this module it imports) must not import storage, database/sql or an adapter", pkg)
		})
	}
	for _, pkg := range domainPackages {
		t.Run(strings.TrimPrefix(pkg, module+"/")+"/allowlist", func(t *testing.T) {
			var bad []string
			for _, imp := range g[pkg].Imports {
				if !allowedForDomain(imp) {
					bad = append(bad, imp)
				}
			}
			assert.Empty(t, bad, "%s imports outside the domain's allowlist (see allowedForDomain)", pkg)
		})
	}
	t.Run("the allowlist refuses what it should", func(t *testing.T) {
		assert.False(t, allowedForDomain("github.com/jackc/pgx/v5"))
		assert.False(t, allowedForDomain("golang.org/x/textual"))
		assert.True(t, allowedForDomain("golang.org/x/text/unicode/norm"))
		assert.True(t, allowedForDomain("net/mail"))
	})
	t.Run("storage imports no adapter", func(t *testing.T) {
		assert.Empty(t, violations(g.ownImports(module+"/storage"), forbiddenForStorage))
	})
}

// sqlMentions returns the exported declarations of the Go files in dir that
// name a database/sql or database/sql/driver type in their signature (for
// functions and methods) or their exported fields, parameters and results.
func sqlMentions(t *testing.T, fset *token.FileSet, files map[string]*ast.File) []string {
	t.Helper()
	var found []string
	for name, f := range files {
		sqlNames := map[string]bool{}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			if path != "database/sql" && path != "database/sql/driver" {
				continue
			}
			local := filepath.Base(path)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			sqlNames[local] = true
		}
		if len(sqlNames) == 0 {
			continue
		}
		mentions := func(n ast.Node) bool {
			hit := false
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && sqlNames[id.Name] {
						hit = true
					}
				}
				return !hit
			})
			return hit
		}
		report := func(what string, pos token.Pos) {
			found = append(found, what+" at "+fset.Position(pos).String()+" ("+filepath.Base(name)+")")
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) && mentions(d.Type) {
					report("func "+d.Name.Name, d.Pos())
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && exportedParts(s.Type, mentions) {
							report("type "+s.Name.Name, s.Pos())
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Type != nil && mentions(s.Type) {
								report("var "+n.Name, n.Pos())
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(found)
	return found
}

func exportedRecv(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if idx, ok := t.(*ast.IndexExpr); ok {
		t = idx.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// exportedParts reports whether the exported surface of a type expression
// mentions database/sql: exported struct fields, interface methods, or the
// whole type for other kinds (func types, aliases, named types).
func exportedParts(expr ast.Expr, mentions func(ast.Node) bool) bool {
	switch t := expr.(type) {
	case *ast.StructType:
		for _, f := range t.Fields.List {
			exported := len(f.Names) == 0 // embedded: part of the surface
			for _, n := range f.Names {
				exported = exported || n.IsExported()
			}
			if exported && mentions(f.Type) {
				return true
			}
		}
		return false
	case *ast.InterfaceType:
		for _, m := range t.Methods.List {
			exported := len(m.Names) == 0
			for _, n := range m.Names {
				exported = exported || n.IsExported()
			}
			if exported && mentions(m.Type) {
				return true
			}
		}
		return false
	default:
		return mentions(expr)
	}
}

func parseDir(t *testing.T, fset *token.FileSet, dir string) map[string]*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string]*ast.File{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		files[n] = f
	}
	require.NotEmpty(t, files, "no Go files in %s", dir)
	return files
}

func TestArchitecture_NoDatabaseSQLInExportedSignatures(t *testing.T) {
	t.Run("the detector flags known mentions", func(t *testing.T) {
		src := `package p
import (
	"database/sql"
	drv "database/sql/driver"
)
type Config struct { DB *sql.DB; conn drv.Conn }
type Hidden struct { tx *sql.Tx }
type Runner interface { Run(tx *sql.Tx) error }
func Open(db *sql.DB) error { return nil }
func (c *Config) Conn() drv.Conn { return nil }
func helper(db *sql.DB) {}
`
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", src, 0)
		require.NoError(t, err)
		found := sqlMentions(t, fset, map[string]*ast.File{"p.go": f})
		require.Len(t, found, 4, "%v", found)
		joined := strings.Join(found, "\n")
		for _, want := range []string{"type Config", "type Runner", "func Open", "func Conn"} {
			assert.Contains(t, joined, want)
		}
		assert.NotContains(t, joined, "Hidden")
		assert.NotContains(t, joined, "helper")
	})
	for _, dir := range []string{".", "storage"} {
		t.Run(dir, func(t *testing.T) {
			fset := token.NewFileSet()
			assert.Empty(t, sqlMentions(t, fset, parseDir(t, fset, dir)),
				"exported signatures must not name database/sql types")
		})
	}
}

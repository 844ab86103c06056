package apicheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleRoot is the repository root, two levels up from this package.
func moduleRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "module root not found")
	return root
}

// packageDirs returns every directory below root holding non-test Go files.
func packageDirs(t *testing.T, root string) []string {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			if dir := filepath.Dir(path); !slices.Contains(dirs, dir) {
				dirs = append(dirs, dir)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return dirs
}

// undocumented lists the exported names in the file that lack a doc comment.
func undocumented(fset *token.FileSet, f *ast.File) []string {
	var missing []string
	report := func(pos token.Pos, name string) {
		missing = append(missing, fset.Position(pos).String()+": "+name)
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil && !exportedReceiver(d.Recv) {
				continue
			}
			report(d.Pos(), d.Name.Name)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						report(s.Pos(), s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
							report(n.Pos(), n.Name)
						}
					}
				}
			}
		}
	}
	return missing
}

func exportedReceiver(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	typ := recv.List[0].Type
	for {
		switch t := typ.(type) {
		case *ast.StarExpr:
			typ = t.X
		case *ast.IndexExpr:
			typ = t.X
		case *ast.IndexListExpr:
			typ = t.X
		case *ast.Ident:
			return t.IsExported()
		default:
			return false
		}
	}
}

func TestEveryExportedNameHasADocComment(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range packageDirs(t, root) {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.ParseComments)
		require.NoError(t, err)
		for name, pkg := range pkgs {
			if name == "main" {
				continue // commands document themselves in their package comment
			}
			for _, f := range pkg.Files {
				assert.Empty(t, undocumented(fset, f), "package %s", name)
			}
		}
	}
}

func TestEveryPackageHasADocGo(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range packageDirs(t, root) {
		rel, _ := filepath.Rel(root, dir)
		fset := token.NewFileSet()
		docFile := filepath.Join(dir, "doc.go")
		if filepath.Base(dir) == "quickstart" || strings.HasPrefix(rel, "examples") {
			docFile = filepath.Join(dir, "main.go") // a command's comment sits on its main file
		}
		f, err := parser.ParseFile(fset, docFile, nil, parser.ParseComments|parser.PackageClauseOnly)
		if !assert.NoError(t, err, "%s has no %s", rel, filepath.Base(docFile)) {
			continue
		}
		assert.NotNil(t, f.Doc, "%s: package comment missing in %s", rel, filepath.Base(docFile))
	}
}

// TestDetectorFindsMissingDocs keeps the checker honest: it must flag an
// undocumented exported function, type, method and constant.
func TestDetectorFindsMissingDocs(t *testing.T) {
	const src = `package p
func Exported() {}
// Documented is fine.
func Documented() {}
type T struct{}
func (T) M() {}
const C = 1
const c = 2
func (t *t2) m() {}
type t2 struct{}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	require.NoError(t, err)
	var names []string
	for _, m := range undocumented(fset, f) {
		names = append(names, m[strings.LastIndex(m, " ")+1:])
	}
	assert.Equal(t, []string{"Exported", "T", "M", "C"}, names)
}

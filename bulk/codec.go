package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// codec turns rows of one Mapping into Records and back.
type codec interface {
	// columns are the CSV columns a Writer writes.
	columns() []string
	// known reports whether a CSV column outside columns is accepted (and
	// ignored) on reading; Native accepts no other column.
	known(column string) bool
	// field returns the name the file gives to the Native field name.
	field(native string, f Format) string
	decodeJSON(line []byte) (Record, error)
	encodeJSON(r Record) any
	decodeCSV(row map[string]string) (Record, error)
	encodeCSV(r Record) ([]string, error)
}

func codecFor(m Mapping) (codec, error) {
	switch m {
	case Native, "":
		return nativeCodec{}, nil
	case Shopify:
		return shopifyCodec{}, nil
	case Medusa:
		return medusaCodec{}, nil
	}
	return nil, fmt.Errorf("%w: mapping %q", ErrInvalid, string(m))
}

// decodeStrict decodes one JSON value into dst, refusing unknown members
// and trailing data; the error is a *RowError naming the member at fault
// when there is one.
func decodeStrict(b []byte, dst any) error {
	return decodeJSON(b, dst, true)
}

func decodeJSON(b []byte, dst any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON value")
	}
	if err == nil {
		return nil
	}
	var field string
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		field = te.Field
		err = fmt.Errorf("must be a JSON %s", jsonKind(te.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		err = errors.New("is not a known field")
	default:
		field = fieldOf(err, "")
	}
	return &RowError{Field: field, Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
}

func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "bool":
		return "boolean"
	case "string":
		return "string"
	}
	return "number"
}

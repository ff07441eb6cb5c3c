package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// tableSchema is the compiled JSON Schema of one table.
type tableSchema struct {
	key      string // "posts" (every workspace) or "blog/posts" (workspace blog only)
	doc      any    // the schema as decoded JSON, embedded in the OpenAPI document
	compiled *jsonschema.Schema
}

// schemaSet holds the table schemas of a handler. It is immutable after New; compiled schemas
// are safe for concurrent use.
type schemaSet struct {
	byKey map[string]*tableSchema
	keys  []string // sorted
}

// schemaFile is the format of Config.SchemaFile.
type schemaFile struct {
	Tables map[string]json.RawMessage `json:"tables"`
}

// loadSchemas compiles the inline schemas and those of the file (a key may not be in both).
func loadSchemas(inline map[string]json.RawMessage, file string) (*schemaSet, error) {
	all := make(map[string]json.RawMessage, len(inline))
	for k, v := range inline {
		all[k] = v
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("rest: schema file: %w", err)
		}
		var f schemaFile
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("rest: schema file %s: want {\"tables\":{\"<table>\":<JSON Schema>}}: %w", file, err)
		}
		for k, v := range f.Tables {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("rest: schema of table %q is configured twice (Config.Schemas and %s)", k, file)
			}
			all[k] = v
		}
	}
	s := &schemaSet{byKey: make(map[string]*tableSchema, len(all))}
	for key, raw := range all {
		if err := checkSchemaKey(key); err != nil {
			return nil, err
		}
		ts, err := compileSchema(key, raw)
		if err != nil {
			return nil, err
		}
		s.byKey[key] = ts
		s.keys = append(s.keys, key)
	}
	sort.Strings(s.keys)
	return s, nil
}

func checkSchemaKey(key string) error {
	parts := strings.Split(key, "/")
	if len(parts) > 2 || slices.Contains(parts, "") {
		return fmt.Errorf("rest: schema key %q: want \"<table>\" or \"<workspace>/<table>\"", key)
	}
	return nil
}

func compileSchema(key string, raw json.RawMessage) (*tableSchema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("rest: schema of table %q is not JSON: %w", key, err)
	}
	if _, ok := doc.(map[string]any); !ok {
		if _, ok := doc.(bool); !ok {
			return nil, fmt.Errorf("rest: schema of table %q must be a JSON object", key)
		}
	}
	url := "urn:lively:table:" + key
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("rest: schema of table %q: %w", key, err)
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("rest: schema of table %q: %w", key, err)
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return nil, fmt.Errorf("rest: schema of table %q: %w", key, err)
	}
	return &tableSchema{key: key, doc: plain, compiled: compiled}, nil
}

// lookup returns the schema of a table in a workspace: "ws/table" first, then "table".
func (s *schemaSet) lookup(ws, table string) *tableSchema {
	if ts := s.byKey[ws+"/"+table]; ts != nil {
		return ts
	}
	return s.byKey[table]
}

// check returns the TableOp.Check function that validates a row of table against ts.
func (ts *tableSchema) check(table string) func([]byte) error {
	return func(row []byte) error { return ts.validate(table, row) }
}

func (ts *tableSchema) validate(table string, row []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(row))
	if err != nil {
		return fmt.Errorf("%w: row is not JSON: %v", ErrBadRequest, err)
	}
	err = ts.compiled.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	p := message.NewPrinter(language.English)
	out := &ValidationError{Table: table}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out.Problems = append(out.Problems, Problem{Path: jsonPointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(p)})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// jsonPointer formats an instance location as a JSON Pointer ("" is the whole row).
func jsonPointer(loc []string) string {
	var b strings.Builder
	r := strings.NewReplacer("~", "~0", "/", "~1")
	for _, s := range loc {
		b.WriteByte('/')
		b.WriteString(r.Replace(s))
	}
	return b.String()
}

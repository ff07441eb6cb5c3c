package rest

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// schema is a JSON Schema (OpenAPI 3.1 schema objects are JSON Schema 2020-12).
type schema = map[string]any

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

// The OpenAPI document model: just what the generator writes and the docs page reads.
type oaDocument struct {
	OpenAPI    string                `json:"openapi"`
	Info       oaInfo                `json:"info"`
	Tags       []oaTag               `json:"tags,omitempty"`
	Paths      map[string]oaPathItem `json:"paths"`
	Components oaComponents          `json:"components"`
	// order lists the paths in route-table order, for the docs page.
	order []string
}

type oaInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

type oaTag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// oaPathItem maps lower-case methods to operations.
type oaPathItem map[string]*oaOperation

type oaOperation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []oaParameter         `json:"parameters,omitempty"`
	RequestBody *oaRequestBody        `json:"requestBody,omitempty"`
	Responses   map[string]oaResponse `json:"responses"`
	Security    []map[string][]string `json:"security,omitempty"`
}

type oaParameter struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required"`
	Schema      schema `json:"schema"`
}

type oaRequestBody struct {
	Description string             `json:"description,omitempty"`
	Required    bool               `json:"required"`
	Content     map[string]oaMedia `json:"content"`
}

type oaMedia struct {
	Schema schema `json:"schema"`
}

type oaResponse struct {
	Ref         string             `json:"$ref,omitempty"`
	Description string             `json:"description,omitempty"`
	Content     map[string]oaMedia `json:"content,omitempty"`
}

type oaComponents struct {
	Schemas         map[string]schema           `json:"schemas"`
	Responses       map[string]oaResponse       `json:"responses"`
	SecuritySchemes map[string]oaSecurityScheme `json:"securitySchemes,omitempty"`
}

type oaSecurityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme"`
	BearerFormat string `json:"bearerFormat,omitempty"`
	Description  string `json:"description,omitempty"`
}

// errorResponse names the shared error response of a status.
func errorResponse(status int) (name, description string) {
	switch status {
	case 400:
		return "BadRequest", "The request is malformed: the body is not JSON, not an object, has no string id, or the id does not match the path."
	case 401:
		return "Unauthorized", "Credentials are missing or invalid."
	case 403:
		return "Forbidden", "The credentials do not allow this request."
	case 404:
		return "NotFound", "The workspace, room, row or setting does not exist."
	case 409:
		return "Conflict", "The room's storage is not initialized."
	case 413:
		return "PayloadTooLarge", "The request body is over the size limit."
	case 415:
		return "UnsupportedMediaType", "The request body is not JSON."
	case 422:
		return "UnprocessableEntity", "The row does not match its table's JSON Schema; errors lists the problems."
	case 503:
		return "Unavailable", "The server cannot take the request now."
	default:
		return "InternalError", "The server failed."
	}
}

const (
	secTables = "bearerAuth"
	secAdmin  = "adminToken"
)

// buildOpenAPI generates the OpenAPI document from the route table, Config.Routes and the schemas.
func (h *Handler) buildOpenAPI() *oaDocument {
	doc := &oaDocument{
		OpenAPI: "3.1.0",
		Info: oaInfo{Title: h.cfg.Name, Version: h.cfg.Version,
			Description: "Workspace tables and settings stored in the rooms' Yjs documents (Epicenter's model: root " +
				"arrays \"table:<name>\" and \"kv\" of {key, val, ts} entries, highest ts wins, ties to the rightmost " +
				"entry), discovery, and the admin API. Success bodies are {\"data\": ...}; errors are " +
				"{\"error\": {\"message\": ...}}."},
		Paths:      map[string]oaPathItem{},
		Components: oaComponents{Schemas: baseSchemas(), Responses: map[string]oaResponse{}},
	}
	tags := map[string]string{
		tagDiscovery: "Discovery and API documentation.",
		tagTables:    "Rows of workspace tables (root Y.Array \"table:<table>\").",
		tagKV:        "Workspace settings (root Y.Array \"kv\").",
		tagAdmin:     "Server SDK calls for backends in other languages; bearer admin token.",
	}
	usedTags := map[string]bool{}
	usedIDs := map[string]int{}
	usedErrors := map[int]bool{}
	add := func(path, method string, op *oaOperation) {
		n := usedIDs[op.OperationID]
		usedIDs[op.OperationID] = n + 1
		if n > 0 {
			op.OperationID += "_" + strconv.Itoa(n+1)
		}
		item := doc.Paths[path]
		if item == nil {
			item = oaPathItem{}
			doc.Paths[path] = item
			doc.order = append(doc.order, path)
		}
		item[strings.ToLower(method)] = op
		for _, t := range op.Tags {
			usedTags[t] = true
		}
	}
	for _, rt := range h.routes {
		op := h.operationOf(rt, rt.pattern, nil)
		for _, s := range rt.op.errors {
			usedErrors[s] = true
		}
		add(rt.pattern, rt.method, op)
	}
	// per-table paths with the table's own row schema
	for _, key := range h.schemas.keys {
		name := componentName("Table_" + key)
		doc.Components.Schemas[name] = schema{"allOf": []any{ref("Row"), embeddable(h.schemas.byKey[key].doc)}}
		ws, table := "{ws}", key
		if i := strings.IndexByte(key, '/'); i >= 0 {
			ws, table = key[:i], key[i+1:]
		}
		for _, rt := range h.routes {
			if rt.tag != tagTables {
				continue
			}
			path := strings.Replace(strings.Replace(rt.pattern, "{table}", table, 1), "{ws}", ws, 1)
			op := h.operationOf(rt, path, &tableDoc{table: table, schema: name})
			op.OperationID += "_" + componentName(key)
			add(path, rt.method, op)
		}
	}
	for _, rd := range h.cfg.Routes {
		add(rd.Path, rd.Method, extraOperation(rd))
		tag := rd.Tag
		if tag == "" {
			tag = "server"
		}
		if _, ok := tags[tag]; !ok {
			tags[tag] = ""
		}
	}
	for s := range usedErrors {
		name, description := errorResponse(s)
		doc.Components.Responses[name] = oaResponse{Description: description,
			Content: map[string]oaMedia{"application/json": {Schema: ref("Error")}}}
	}
	for _, t := range []string{tagDiscovery, tagTables, tagKV, tagAdmin} {
		if usedTags[t] {
			doc.Tags = append(doc.Tags, oaTag{Name: t, Description: tags[t]})
		}
		delete(tags, t)
	}
	var rest []string
	for t := range tags {
		rest = append(rest, t)
	}
	sort.Strings(rest)
	for _, t := range rest {
		doc.Tags = append(doc.Tags, oaTag{Name: t, Description: tags[t]})
	}
	if h.cfg.Auth != nil {
		doc.Components.SecuritySchemes = map[string]oaSecurityScheme{secTables: {Type: "http", Scheme: "bearer",
			BearerFormat: "JWT", Description: "The server's authentication hook (the same as for WebSocket upgrades)."}}
	}
	if h.adminEnabled() {
		if doc.Components.SecuritySchemes == nil {
			doc.Components.SecuritySchemes = map[string]oaSecurityScheme{}
		}
		doc.Components.SecuritySchemes[secAdmin] = oaSecurityScheme{Type: "http", Scheme: "bearer",
			Description: "The admin token (--admin-token)."}
	}
	return doc
}

// embeddable returns a table schema as a subschema of the document: without the top-level
// "$schema" (OpenAPI 3.1 documents are JSON Schema 2020-12 throughout).
func embeddable(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		if k != "$schema" {
			c[k] = v
		}
	}
	return c
}

// tableDoc specializes a table route for one configured table.
type tableDoc struct {
	table  string
	schema string // component name of the row schema
}

// operationOf converts a route's description into an OpenAPI operation at path.
func (h *Handler) operationOf(rt *route, path string, td *tableDoc) *oaOperation {
	o := &oaOperation{OperationID: rt.op.id, Summary: rt.op.summary, Description: rt.op.description,
		Tags: []string{rt.tag}, Responses: map[string]oaResponse{}}
	for _, name := range pathParams(path) {
		o.Parameters = append(o.Parameters, oaParameter{Name: name, In: "path", Required: true,
			Description: rt.op.params[name], Schema: schema{"type": "string"}})
	}
	for _, q := range rt.op.query {
		o.Parameters = append(o.Parameters, oaParameter{Name: q.name, In: "query", Description: q.description,
			Schema: schema{"type": "string"}})
	}
	rowSchema := func(s schema) schema {
		if td == nil {
			return s
		}
		return specialize(s, td.schema)
	}
	if b := rt.op.body; b != nil {
		o.RequestBody = &oaRequestBody{Description: b.description, Required: true,
			Content: map[string]oaMedia{"application/json": {Schema: rowSchema(b.schema)}}}
	}
	status := rt.op.ok.status
	if status == 0 {
		status = http.StatusOK
	}
	ct := rt.op.ok.contentType
	if ct == "" {
		ct = "application/json"
	}
	body := rt.op.ok.raw
	if rt.op.ok.data != nil {
		body = schema{"type": "object", "required": []any{"data"}, "properties": schema{"data": rowSchema(rt.op.ok.data)}}
	}
	o.Responses[strconv.Itoa(status)] = oaResponse{Description: rt.op.ok.description,
		Content: map[string]oaMedia{ct: {Schema: body}}}
	for _, s := range rt.op.errors {
		name, _ := errorResponse(s)
		o.Responses[strconv.Itoa(s)] = oaResponse{Ref: "#/components/responses/" + name}
	}
	switch rt.access {
	case accessAuth:
		if h.cfg.Auth != nil {
			o.Security = []map[string][]string{{secTables: {}}}
		}
	case accessAdmin:
		o.Security = []map[string][]string{{secAdmin: {}}}
	}
	return o
}

// specialize replaces the generic row schemas by a table's own schema.
func specialize(s schema, tableSchema string) schema {
	switch s["$ref"] {
	case "#/components/schemas/Row", "#/components/schemas/NewRow":
		return ref(tableSchema)
	case "#/components/schemas/RowPatch":
		return s // a patch is a partial row: the merged result is validated
	}
	if items, ok := s["items"].(schema); ok {
		c := schema{}
		for k, v := range s {
			c[k] = v
		}
		c["items"] = specialize(items, tableSchema)
		return c
	}
	return s
}

// extraOperation documents a route served elsewhere.
func extraOperation(rd RouteDoc) *oaOperation {
	tag := rd.Tag
	if tag == "" {
		tag = "server"
	}
	id := strings.ToLower(rd.Method) + componentName(strings.ReplaceAll(strings.ReplaceAll(rd.Path, "{", ""), "}", ""))
	o := &oaOperation{OperationID: id, Summary: rd.Summary, Description: rd.Description, Tags: []string{tag},
		Responses: map[string]oaResponse{}}
	for _, name := range pathParams(rd.Path) {
		o.Parameters = append(o.Parameters, oaParameter{Name: name, In: "path", Required: true, Schema: schema{"type": "string"}})
	}
	for _, q := range rd.Query {
		o.Parameters = append(o.Parameters, oaParameter{Name: q, In: "query", Schema: schema{"type": "string"}})
	}
	if rd.WebSocket {
		o.Parameters = append(o.Parameters,
			oaParameter{Name: "Upgrade", In: "header", Required: true, Schema: schema{"const": "websocket"},
				Description: "WebSocket upgrade request (RFC 6455)."})
		o.Responses["101"] = oaResponse{Description: "Switching Protocols: the connection continues as a WebSocket."}
		return o
	}
	ct := rd.ContentType
	if ct == "" {
		ct = "text/plain"
	}
	o.Responses["200"] = oaResponse{Description: "OK.", Content: map[string]oaMedia{ct: {Schema: schema{}}}}
	return o
}

var paramRE = regexp.MustCompile(`\{([^{}/]+)\}`)

// pathParams returns the {name} parameters of a path template in order.
func pathParams(path string) []string {
	var out []string
	for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

var nonComponentRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// componentName makes s a valid component or operation id part.
func componentName(s string) string {
	return strings.Trim(nonComponentRE.ReplaceAllString(s, "_"), "_")
}

// baseSchemas are the component schemas every document has.
func baseSchemas() map[string]schema {
	str := schema{"type": "string"}
	obj := func(required []any, props schema) schema {
		return schema{"type": "object", "required": required, "properties": props}
	}
	user := obj([]any{"connectionId", "userId", "displayName", "color", "connectedAt", "onlineStatus", "lastActiveAt", "isIdle"},
		schema{
			"connectionId": schema{"type": "integer", "minimum": 0, "description": "Server connection id (for broadcast exclude)."},
			"userId":       str, "displayName": str, "color": str,
			"connectedAt":  schema{"type": "integer", "description": "Unix ms."},
			"onlineStatus": str,
			"lastActiveAt": schema{"type": "integer", "description": "Unix ms."},
			"isIdle":       schema{"type": "boolean"},
			"location":     schema{}, "metadata": schema{},
		})
	storageOp := schema{
		"type":        "object",
		"description": "One storage mutation. path walks from the root: LiveObject/LiveMap children by key, LiveList children by decimal index.",
		"required":    []any{"op"},
		"properties": schema{
			"op":    schema{"enum": []any{"set", "delete", "push", "insert", "remove", "move"}},
			"path":  schema{"type": "array", "items": str},
			"key":   schema{"type": "string", "description": "set, delete: the field or entry."},
			"index": schema{"type": "integer", "minimum": 0, "description": "insert, remove: the list index."},
			"from":  schema{"type": "integer", "minimum": 0, "description": "move: the source index."},
			"to":    schema{"type": "integer", "minimum": 0, "description": "move: the target index."},
			"value": schema{"description": "set, push, insert: plain JSON or a serialized LiveObject/LiveMap/LiveList."},
		},
		"additionalProperties": false,
	}
	return map[string]schema{
		"Error": obj([]any{"error"}, schema{"error": obj([]any{"message"}, schema{
			"message": str,
			"errors":  schema{"type": "array", "items": ref("Problem")},
		})}),
		"Problem": obj([]any{"path", "message"}, schema{
			"path":    schema{"type": "string", "description": "JSON Pointer into the row."},
			"message": str,
		}),
		"Discovery": obj([]any{"name", "version", "docs", "workspaces"}, schema{
			"name": str, "version": str, "docs": str,
			"workspaces": schema{"type": "array", "items": str},
		}),
		"Row": schema{"type": "object", "description": "A row: a JSON object whose \"id\" is its key.",
			"properties": schema{"id": str}},
		"NewRow": schema{"type": "object", "description": "A whole row.", "required": []any{"id"},
			"properties": schema{"id": schema{"type": "string", "minLength": 1}}},
		"RowPatch": schema{"type": "object", "description": "Fields to shallow-merge into the row; an id must equal the path's.",
			"properties": schema{"id": str}},
		"RowDeleted": obj([]any{"id", "deleted"}, schema{"id": str, "deleted": schema{"const": true}}),
		"Settings": schema{"type": "object", "description": "Every setting: key to value.",
			"additionalProperties": true},
		"SettingDeleted":  obj([]any{"key", "deleted"}, schema{"key": str, "deleted": schema{"const": true}}),
		"Value":           schema{"description": "Any JSON value."},
		"RoomInfo":        obj([]any{"id", "size", "users"}, schema{"id": str, "size": schema{"type": "integer", "minimum": 0}, "users": schema{"type": "array", "items": ref("User")}}),
		"User":            user,
		"BroadcastResult": obj([]any{"room", "sent"}, schema{"room": str, "sent": schema{"const": true}}),
		"LiveStateResult": obj([]any{"key", "accepted"}, schema{"key": str, "accepted": schema{"type": "boolean"}}),
		"StorageOp":       storageOp,
		"StorageOps":      obj([]any{"ops"}, schema{"ops": schema{"type": "array", "items": ref("StorageOp")}}),
		"StorageResult":   obj([]any{"applied"}, schema{"applied": schema{"type": "integer", "minimum": 0}}),
	}
}

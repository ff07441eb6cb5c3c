package rest

import (
	"net/http"
	"strings"
)

// access says who may call a route.
type access uint8

const (
	accessPublic access = iota // anyone (the API documents)
	accessAuth                 // Config.Auth (or the admin token)
	accessAdmin                // the admin token only
)

// Route groups (OpenAPI tags).
const (
	tagDiscovery = "discovery"
	tagTables    = "tables"
	tagKV        = "kv"
	tagAdmin     = "admin"
)

// route is one served route: the single source of both dispatch and documentation.
type route struct {
	method  string
	pattern string   // "/workspaces/{ws}/tables/{table}"
	segs    []string // pattern segments; "{name}" matches any one segment
	access  access
	tag     string
	serve   func(http.ResponseWriter, *http.Request, params)
	op      operation
}

// operation is the OpenAPI description of a route.
type operation struct {
	id          string
	summary     string
	description string
	params      map[string]string // path parameter -> description
	query       []queryParam
	body        *bodyDoc
	ok          okDoc
	errors      []int
}

type queryParam struct{ name, description string }

type bodyDoc struct {
	description string
	schema      schema
}

type okDoc struct {
	status      int    // default 200
	description string //
	contentType string // default application/json
	data        schema // the schema of "data" in {"data": ...}; nil with raw
	raw         schema // the whole body's schema when it is not an envelope
}

func newRoute(method, pattern string, acc access, tag string, serve func(http.ResponseWriter, *http.Request, params), op operation) *route {
	segs := []string{}
	if p := strings.Trim(pattern, "/"); p != "" {
		segs = strings.Split(p, "/")
	}
	return &route{method: method, pattern: pattern, segs: segs, access: acc, tag: tag, serve: serve, op: op}
}

// match reports whether segs fit the pattern and returns the parameters.
func (rt *route) match(segs []string) (params, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var p params
	for i, s := range rt.segs {
		if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' {
			if p == nil {
				p = params{}
			}
			p[s[1:len(s)-1]] = segs[i]
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return p, true
}

// Descriptions of the path parameters.
const (
	paramWS    = "Workspace id: the room whose Yjs document holds the tables (the y-websocket document name)."
	paramTable = "Table name: the rows live in the root Y.Array \"table:<table>\"."
	paramID    = "Row id (the entry key)."
	paramKey   = "Setting key in the root Y.Array \"kv\"."
	paramRoom  = "Room id."
)

// buildRoutes returns the route table for the configuration.
func (h *Handler) buildRoutes() []*route {
	tableParams := map[string]string{"ws": paramWS, "table": paramTable}
	rowParams := map[string]string{"ws": paramWS, "table": paramTable, "id": paramID}
	kvParams := map[string]string{"ws": paramWS, "key": paramKey}
	rs := []*route{
		newRoute(http.MethodGet, "/", accessAuth, tagDiscovery, h.serveDiscovery, operation{
			id: "discovery", summary: "Discover the server",
			description: "The server's name and version, the docs link and the workspaces (rooms) that are live or persisted.",
			ok:          okDoc{raw: ref("Discovery"), description: "Discovery document."},
			errors:      []int{401, 403, 500, 503},
		}),
		newRoute(http.MethodGet, "/openapi", accessPublic, tagDiscovery, h.serveDocs, operation{
			id: "docs", summary: "API documentation (HTML)",
			description: "This document as a human-readable page, rendered by the server; it loads nothing from the network.",
			ok:          okDoc{contentType: "text/html", raw: schema{"type": "string"}, description: "HTML page."},
		}),
		newRoute(http.MethodGet, "/openapi/json", accessPublic, tagDiscovery, h.serveOpenAPI, operation{
			id: "openapi", summary: "OpenAPI 3.1 document",
			description: "The OpenAPI document of every HTTP route of the server, generated from the route table.",
			ok:          okDoc{raw: schema{"type": "object"}, description: "OpenAPI 3.1 document."},
		}),
	}
	if h.cfg.Tables != nil {
		rs = append(rs,
			newRoute(http.MethodGet, "/workspaces/{ws}/tables/{table}", accessAuth, tagTables, h.serveListRows, operation{
				id: "listRows", summary: "List the live rows of a table", params: tableParams,
				description: "Every key's winning entry (highest ts, ties to the rightmost), in array order.",
				ok:          okDoc{data: schema{"type": "array", "items": ref("Row")}, description: "The rows."},
				errors:      []int{401, 403, 404, 500, 503},
			}),
			newRoute(http.MethodPost, "/workspaces/{ws}/tables/{table}", accessAuth, tagTables, h.serveUpsertRow, operation{
				id: "upsertRow", summary: "Create or replace a row", params: tableParams,
				description: "The body is the whole row, a JSON object with a string \"id\". One Yjs transaction by the " +
					"server's client id pushes {key, val, ts} with ts = max(now, highest ts + 1) and deletes the previous " +
					"entries of the id; connected clients receive it live.",
				body:   &bodyDoc{description: "The row.", schema: ref("NewRow")},
				ok:     okDoc{data: ref("Row"), description: "The row as written."},
				errors: []int{400, 401, 403, 404, 413, 415, 422, 500, 503},
			}),
			newRoute(http.MethodGet, "/workspaces/{ws}/tables/{table}/{id}", accessAuth, tagTables, h.serveGetRow, operation{
				id: "getRow", summary: "Read one row", params: rowParams,
				ok:     okDoc{data: ref("Row"), description: "The row."},
				errors: []int{401, 403, 404, 500, 503},
			}),
			newRoute(http.MethodPut, "/workspaces/{ws}/tables/{table}/{id}", accessAuth, tagTables, h.serveUpdateRow, operation{
				id: "updateRow", summary: "Update fields of a row", params: rowParams,
				description: "Shallow-merges the body's fields into the existing row ({...row, ...body}) and writes the " +
					"result like POST. An \"id\" in the body must equal the path's.",
				body:   &bodyDoc{description: "The fields to change.", schema: ref("RowPatch")},
				ok:     okDoc{data: ref("Row"), description: "The row after the update."},
				errors: []int{400, 401, 403, 404, 413, 415, 422, 500, 503},
			}),
			newRoute(http.MethodDelete, "/workspaces/{ws}/tables/{table}/{id}", accessAuth, tagTables, h.serveDeleteRow, operation{
				id: "deleteRow", summary: "Delete a row", params: rowParams,
				description: "Deletes every entry of the id in one Yjs transaction.",
				ok:          okDoc{data: ref("RowDeleted"), description: "The row was deleted."},
				errors:      []int{401, 403, 404, 500, 503},
			}),
			newRoute(http.MethodGet, "/workspaces/{ws}/kv", accessAuth, tagKV, h.serveListKV, operation{
				id: "listSettings", summary: "Read every setting", params: map[string]string{"ws": paramWS},
				ok:     okDoc{data: ref("Settings"), description: "The settings as one object."},
				errors: []int{401, 403, 404, 500, 503},
			}),
			newRoute(http.MethodGet, "/workspaces/{ws}/kv/{key}", accessAuth, tagKV, h.serveGetKey, operation{
				id: "getSetting", summary: "Read one setting", params: kvParams,
				ok:     okDoc{data: ref("Value"), description: "The value."},
				errors: []int{401, 403, 404, 500, 503},
			}),
			newRoute(http.MethodPut, "/workspaces/{ws}/kv/{key}", accessAuth, tagKV, h.serveSetKey, operation{
				id: "setSetting", summary: "Write one setting", params: kvParams,
				description: "The body is the value (any JSON), written like a row.",
				body:        &bodyDoc{description: "The value.", schema: ref("Value")},
				ok:          okDoc{data: ref("Value"), description: "The value as written."},
				errors:      []int{400, 401, 403, 404, 413, 415, 500, 503},
			}),
			newRoute(http.MethodDelete, "/workspaces/{ws}/kv/{key}", accessAuth, tagKV, h.serveDeleteKey, operation{
				id: "deleteSetting", summary: "Delete one setting", params: kvParams,
				ok:     okDoc{data: ref("SettingDeleted"), description: "The setting was deleted."},
				errors: []int{401, 403, 404, 500, 503},
			}),
		)
	}
	if h.adminEnabled() {
		roomParams := map[string]string{"id": paramRoom}
		adminErrors := func(extra ...int) []int {
			return append([]int{401, 404}, append(extra, 500, 503)...)
		}
		rs = append(rs,
			newRoute(http.MethodGet, "/admin/rooms", accessAdmin, tagAdmin, h.serveRooms, operation{
				id: "listRooms", summary: "List the live rooms with their sizes and users",
				ok:     okDoc{data: schema{"type": "array", "items": ref("RoomInfo")}, description: "The rooms."},
				errors: []int{401, 500, 503},
			}),
			newRoute(http.MethodGet, "/admin/rooms/{id}/users", accessAdmin, tagAdmin, h.serveRoomUsers, operation{
				id: "roomUsers", summary: "The presence entries of a room", params: roomParams,
				ok:     okDoc{data: schema{"type": "array", "items": ref("User")}, description: "The users."},
				errors: adminErrors(),
			}),
			newRoute(http.MethodPost, "/admin/rooms/{id}/broadcast", accessAdmin, tagAdmin, h.serveBroadcast, operation{
				id: "broadcast", summary: "Send a message to every connection of a room", params: roomParams,
				description: "The body (a JSON value) is sent as is as one text message, like broadcastToRoom. " +
					"Connections listed in the exclude query parameter (comma-separated connection ids) are skipped.",
				query:  []queryParam{{"exclude", "Comma-separated connection ids to skip."}},
				body:   &bodyDoc{description: "The message.", schema: ref("Value")},
				ok:     okDoc{data: ref("BroadcastResult"), description: "The message was sent."},
				errors: adminErrors(400, 413, 415),
			}),
			newRoute(http.MethodPut, "/admin/rooms/{id}/state/{key}", accessAdmin, tagAdmin, h.serveSetLiveState, operation{
				id: "setLiveState", summary: "Set a live-state key as the server", params: map[string]string{"id": paramRoom, "key": "Live-state key."},
				description: "Like setLiveState: last-writer-wins with timestamp now and user \"__server__\", broadcast " +
					"to the room when accepted.",
				body:   &bodyDoc{description: "The value.", schema: ref("Value")},
				ok:     okDoc{data: ref("LiveStateResult"), description: "Whether the value was accepted."},
				errors: adminErrors(400, 413, 415),
			}),
			newRoute(http.MethodGet, "/admin/rooms/{id}/storage", accessAdmin, tagAdmin, h.serveStorageSnapshot, operation{
				id: "storageSnapshot", summary: "Read the room's storage", params: roomParams,
				ok:     okDoc{data: ref("Value"), description: "The serialized storage root; null when not initialized."},
				errors: adminErrors(),
			}),
			newRoute(http.MethodPost, "/admin/rooms/{id}/storage", accessAdmin, tagAdmin, h.serveStorageOps, operation{
				id: "mutateStorage", summary: "Apply storage mutations", params: roomParams,
				description: "Applies the ops in order in one mutateStorage call (all or nothing); clients receive " +
					"one storage:ops message.",
				body:   &bodyDoc{description: "The ops.", schema: ref("StorageOps")},
				ok:     okDoc{data: ref("StorageResult"), description: "The ops were applied."},
				errors: adminErrors(400, 409, 413, 415),
			}),
		)
	}
	return rs
}

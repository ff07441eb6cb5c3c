package rest

import (
	"errors"
	"net/http"
	"slices"

	"github.com/lively-actor/lively/crdt/yjs"
)

// discovery is the body of GET /.
type discovery struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Docs       string   `json:"docs"`
	Workspaces []string `json:"workspaces"`
}

func (h *Handler) serveDiscovery(w http.ResponseWriter, r *http.Request, _ params) {
	d := discovery{Name: h.cfg.Name, Version: h.cfg.Version, Docs: "/openapi", Workspaces: []string{}}
	if h.cfg.Tables != nil {
		ws, err := h.cfg.Tables.Workspaces(r.Context())
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if len(ws) > 0 {
			d.Workspaces = slices.Sorted(slices.Values(ws)) // a copy: the slice is the backend's
		}
	}
	b, err := marshal(d)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeBytes(w, http.StatusOK, "application/json; charset=utf-8", append(b, '\n'))
}

func (h *Handler) serveOpenAPI(w http.ResponseWriter, _ *http.Request, _ params) {
	writeBytes(w, http.StatusOK, "application/json; charset=utf-8", h.openapi)
}

func (h *Handler) serveDocs(w http.ResponseWriter, _ *http.Request, _ params) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	writeBytes(w, http.StatusOK, "text/html; charset=utf-8", h.docsHTML)
}

// exec runs a table operation and answers {"data": result}.
func (h *Handler) exec(w http.ResponseWriter, r *http.Request, ws string, op *yjs.TableOp, notFound string) {
	res, err := h.cfg.Tables.Exec(r.Context(), ws, op)
	if err != nil {
		if notFound != "" && errors.Is(err, yjs.ErrNotFound) {
			err = &httpError{status: http.StatusNotFound, message: notFound}
		}
		h.writeError(w, r, err)
		return
	}
	switch op.Kind {
	case yjs.OpDeleteRow:
		h.writeValue(w, r, struct {
			ID      string `json:"id"`
			Deleted bool   `json:"deleted"`
		}{op.Key, true})
		return
	case yjs.OpDeleteKey:
		h.writeValue(w, r, struct {
			Key     string `json:"key"`
			Deleted bool   `json:"deleted"`
		}{op.Key, true})
		return
	}
	h.writeData(w, res)
}

// readJSON reads a JSON body (an object when wantObject).
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, wantObject bool) (yjs.Any, error) {
	body, err := h.readBody(w, r)
	if err != nil {
		return yjs.Any{}, err
	}
	v, err := yjs.ParseJSON(body)
	if err != nil {
		return yjs.Any{}, errorf(http.StatusBadRequest, "request body is not valid JSON")
	}
	if wantObject && v.Kind != yjs.AnyObject {
		return yjs.Any{}, errorf(http.StatusBadRequest, "request body must be a JSON object")
	}
	return v, nil
}

// check returns the schema check of a table, or nil.
func (h *Handler) check(ws, table string) func([]byte) error {
	if ts := h.schemas.lookup(ws, table); ts != nil {
		return ts.check(table)
	}
	return nil
}

func (h *Handler) serveListRows(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpListRows, Table: p["table"]}, "")
}

func (h *Handler) serveGetRow(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpGetRow, Table: p["table"], Key: p["id"]},
		"row "+quote(p["id"])+" not found in table "+quote(p["table"]))
}

func (h *Handler) serveUpsertRow(w http.ResponseWriter, r *http.Request, p params) {
	row, err := h.readJSON(w, r, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	id, ok := row.Get("id")
	if !ok || id.Kind != yjs.AnyString || id.Str == "" {
		h.writeError(w, r, errorf(http.StatusBadRequest, `request body needs a non-empty string "id"`))
		return
	}
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpUpsertRow, Table: p["table"], Key: id.Str, Value: row,
		Check: h.check(p["ws"], p["table"])}, "")
}

func (h *Handler) serveUpdateRow(w http.ResponseWriter, r *http.Request, p params) {
	patch, err := h.readJSON(w, r, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if id, ok := patch.Get("id"); ok && (id.Kind != yjs.AnyString || id.Str != p["id"]) {
		h.writeError(w, r, errorf(http.StatusBadRequest, `"id" in the body (%s) does not match the path (%s)`, id.String(), quote(p["id"])))
		return
	}
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpUpdateRow, Table: p["table"], Key: p["id"], Value: patch,
		Check: h.check(p["ws"], p["table"])}, "row "+quote(p["id"])+" not found in table "+quote(p["table"]))
}

func (h *Handler) serveDeleteRow(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpDeleteRow, Table: p["table"], Key: p["id"]},
		"row "+quote(p["id"])+" not found in table "+quote(p["table"]))
}

func (h *Handler) serveListKV(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpListKV}, "")
}

func (h *Handler) serveGetKey(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpGetKey, Key: p["key"]}, "setting "+quote(p["key"])+" not found")
}

func (h *Handler) serveSetKey(w http.ResponseWriter, r *http.Request, p params) {
	v, err := h.readJSON(w, r, false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpSetKey, Key: p["key"], Value: v}, "")
}

func (h *Handler) serveDeleteKey(w http.ResponseWriter, r *http.Request, p params) {
	h.exec(w, r, p["ws"], &yjs.TableOp{Kind: yjs.OpDeleteKey, Key: p["key"]}, "setting "+quote(p["key"])+" not found")
}

// quote renders s as a JSON string for messages.
func quote(s string) string {
	return yjs.Any{Kind: yjs.AnyString, Str: s}.String()
}

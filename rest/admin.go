package rest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func (h *Handler) serveRooms(w http.ResponseWriter, r *http.Request, _ params) {
	rooms, err := h.cfg.Admin.Rooms(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]RoomInfo, len(rooms)) // a copy: the slice is the backend's
	for i, ri := range rooms {
		out[i] = ri
		if ri.Users == nil {
			out[i].Users = []User{}
		}
	}
	h.writeValue(w, r, out)
}

func (h *Handler) serveRoomUsers(w http.ResponseWriter, r *http.Request, p params) {
	users, err := h.cfg.Admin.RoomUsers(r.Context(), p["id"])
	if err != nil {
		h.writeError(w, r, roomErr(err, p["id"]))
		return
	}
	if users == nil {
		users = []User{}
	}
	h.writeValue(w, r, users)
}

// readJSONValue reads a body that must be one JSON value.
func (h *Handler) readJSONValue(w http.ResponseWriter, r *http.Request) (json.RawMessage, error) {
	body, err := h.readBody(w, r)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, errorf(http.StatusBadRequest, "request body is not valid JSON")
	}
	return body, nil
}

func (h *Handler) serveBroadcast(w http.ResponseWriter, r *http.Request, p params) {
	var exclude []uint64
	if q := r.URL.Query().Get("exclude"); q != "" {
		for _, s := range strings.Split(q, ",") {
			id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
			if err != nil {
				h.writeError(w, r, errorf(http.StatusBadRequest, "exclude: %q is not a connection id", s))
				return
			}
			exclude = append(exclude, id)
		}
	}
	data, err := h.readJSONValue(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.cfg.Admin.Broadcast(r.Context(), p["id"], data, exclude); err != nil {
		h.writeError(w, r, roomErr(err, p["id"]))
		return
	}
	h.writeValue(w, r, struct {
		Room string `json:"room"`
		Sent bool   `json:"sent"`
	}{p["id"], true})
}

func (h *Handler) serveSetLiveState(w http.ResponseWriter, r *http.Request, p params) {
	v, err := h.readJSONValue(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	accepted, err := h.cfg.Admin.SetLiveState(r.Context(), p["id"], p["key"], v)
	if err != nil {
		h.writeError(w, r, roomErr(err, p["id"]))
		return
	}
	h.writeValue(w, r, struct {
		Key      string `json:"key"`
		Accepted bool   `json:"accepted"`
	}{p["key"], accepted})
}

func (h *Handler) serveStorageSnapshot(w http.ResponseWriter, r *http.Request, p params) {
	snap, err := h.cfg.Admin.StorageSnapshot(r.Context(), p["id"])
	if err != nil {
		h.writeError(w, r, roomErr(err, p["id"]))
		return
	}
	if snap == nil {
		snap = json.RawMessage("null")
	}
	h.writeData(w, snap)
}

func (h *Handler) serveStorageOps(w http.ResponseWriter, r *http.Request, p params) {
	body, err := h.readBody(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ops, err := DecodeStorageOps(body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.cfg.Admin.ApplyStorageOps(r.Context(), p["id"], ops); err != nil {
		h.writeError(w, r, roomErr(err, p["id"]))
		return
	}
	h.writeValue(w, r, struct {
		Applied int `json:"applied"`
	}{len(ops)})
}

// roomErr gives a missing room a readable message.
func roomErr(err error, room string) error {
	if he := classify(err); he.status == http.StatusNotFound {
		return &httpError{status: http.StatusNotFound, message: "room " + quote(room) + " not found"}
	}
	return err
}

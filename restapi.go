package lively

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/lively-actor/lively/actors"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/rest"
)

// restBackend implements rest.TableBackend and rest.AdminBackend on the
// actors: every call is one message to the room that owns the document.
type restBackend Server

var (
	_ rest.TableBackend = (*restBackend)(nil)
	_ rest.AdminBackend = (*restBackend)(nil)
)

// roomOf maps a workspace id from a REST path (unescaped) to the room id
// WebSocket upgrades use (the escaped path segment), so
// /workspaces/{id}/tables and /workspaces/{id}/sync reach one room.
func roomOf(ws string) string { return url.PathEscape(ws) }

func (b *restBackend) Workspaces(ctx context.Context) ([]string, error) {
	s := (*Server)(b)
	ids := map[string]bool{}
	for _, r := range s.sys.Rooms() {
		ids[r.ID] = true
	}
	if s.cfg.Store != nil {
		infos, err := s.cfg.Store.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing stored rooms: %w", err)
		}
		for _, in := range infos {
			ids[in.ID] = true
		}
	}
	out := make([]string, 0, len(ids))
	for id := range ids {
		if ws, err := url.PathUnescape(id); err == nil {
			id = ws
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

func (b *restBackend) Exec(ctx context.Context, ws string, op *yjs.TableOp) (json.RawMessage, error) {
	s := (*Server)(b)
	res, err := s.sys.YjsTxn(ctx, roomOf(ws), func(doc *yjs.Doc, client uint64) ([]byte, any, error) {
		result, update, err := op.Apply(doc, client, time.Now().UnixMilli())
		return update, result, err
	})
	if errors.Is(err, actors.ErrTooManyRooms) {
		return nil, fmt.Errorf("%w: %v", rest.ErrUnavailable, err)
	}
	raw, _ := res.([]byte)
	return raw, err
}

func (b *restBackend) Rooms(ctx context.Context) ([]rest.RoomInfo, error) {
	s := (*Server)(b)
	rooms := s.sys.Rooms()
	out := make([]rest.RoomInfo, 0, len(rooms))
	for _, r := range rooms {
		out = append(out, rest.RoomInfo{ID: r.ID, Size: r.Size, Users: restUsers(r.Users)})
	}
	return out, nil
}

func (b *restBackend) RoomUsers(ctx context.Context, room string) ([]rest.User, error) {
	users := (*Server)(b).sys.RoomUsers(roomOf(room))
	if users == nil {
		return nil, fmt.Errorf("%w: room %q", rest.ErrNotFound, room)
	}
	return restUsers(users), nil
}

func (b *restBackend) Broadcast(ctx context.Context, room string, data []byte, exclude []uint64) error {
	if !(*Server)(b).sys.Broadcast(roomOf(room), data, exclude...) {
		return fmt.Errorf("%w: room %q", rest.ErrNotFound, room)
	}
	return nil
}

func (b *restBackend) SetLiveState(ctx context.Context, room, key string, value json.RawMessage) (bool, error) {
	ok, err := (*Server)(b).sys.SetLiveState(roomOf(room), key, value)
	return ok, mapRoomErr(room, err)
}

func (b *restBackend) StorageSnapshot(ctx context.Context, room string) (json.RawMessage, error) {
	snap, err := (*Server)(b).sys.StorageSnapshot(roomOf(room))
	return snap, mapRoomErr(room, err)
}

func (b *restBackend) ApplyStorageOps(ctx context.Context, room string, ops rest.StorageOps) error {
	return mapRoomErr(room, (*Server)(b).sys.MutateStorage(ctx, roomOf(room), ops.Apply))
}

func mapRoomErr(room string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, actors.ErrNoRoom):
		return fmt.Errorf("%w: room %q", rest.ErrNotFound, room)
	case errors.Is(err, actors.ErrNoStorage):
		return fmt.Errorf("%w: room %q has no storage yet", rest.ErrConflict, room)
	}
	return err
}

func restUsers(us []User) []rest.User {
	out := make([]rest.User, 0, len(us))
	for _, u := range us {
		out = append(out, rest.User{ConnectionID: u.ConnectionID, UserID: u.UserID, DisplayName: u.DisplayName, Color: u.Color,
			ConnectedAt: u.ConnectedAt, OnlineStatus: u.OnlineStatus, LastActiveAt: u.LastActiveAt, IsIdle: u.IsIdle,
			Location: u.Location, Metadata: u.Metadata})
	}
	return out
}

// isAPIPath reports whether a plain HTTP request belongs to the REST API.
func isAPIPath(p string) bool {
	return p == "/" || p == "/openapi" || p == "/openapi/json" || strings.HasPrefix(p, "/workspaces/") ||
		p == "/admin" || strings.HasPrefix(p, "/admin/")
}

// newAPI builds the REST handler (tables, KV, discovery, OpenAPI, admin).
func (s *Server) newAPI(cfg *Config) (http.Handler, error) {
	var auth func(r *http.Request, ws string) error
	if s.auth != nil {
		auth = func(r *http.Request, ws string) error {
			_, err := s.auth(r)
			return err
		}
	}
	path := strings.TrimSuffix(cfg.Path, "/")
	h, err := rest.New(rest.Config{
		Name: "lively-actor", Version: Version, Tables: (*restBackend)(s), Admin: (*restBackend)(s), AdminToken: cfg.AdminToken,
		Auth: auth, MaxBodyBytes: cfg.MaxBodyBytes, Schemas: cfg.TableSchemas, SchemaFile: cfg.SchemaFile, Logger: s.logger,
		Routes: []rest.RouteDoc{
			{Method: "GET", Path: cfg.HealthPath, Summary: "Health check", ContentType: "application/json"},
			{Method: "GET", Path: cfg.MetricsPath, Summary: "Prometheus metrics"},
			{Method: "GET", Path: path + "/{roomId}", Summary: "Lively room (WebSocket; JSON or MessagePack frames)", WebSocket: true,
				Query: []string{"userId", "displayName", "token", "encoding"}},
			{Method: "GET", Path: "/yjs/{docName}", Summary: "y-websocket sync of a room's Yjs document", WebSocket: true, Query: []string{"token"}},
			{Method: "GET", Path: "/workspaces/{workspaceId}/sync", Summary: "y-websocket sync (Epicenter path)", WebSocket: true, Query: []string{"token"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("lively: REST API: %w", err)
	}
	return h, nil
}

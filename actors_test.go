package lively_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/internal/wstest"
)

func TestPresence_JoinLeaveBroadcastToAll(t *testing.T) {
	rec := newRecorder()
	ts := newTestServer(t, lively.Config{
		OnJoin:  func(_ context.Context, room string, u lively.User) { rec.add("join:" + room + ":" + u.UserID) },
		OnLeave: func(_ context.Context, room string, u lively.User) { rec.add("leave:" + room + ":" + u.UserID) },
	})
	a := ts.join("r1", "alice")
	first := a.Next()
	if first.Type != "presence" {
		t.Fatalf("first message must be presence, got %s", first.Data)
	}
	if got := presenceUsers(t, first); fmt.Sprint(got) != "[alice]" {
		t.Fatalf("presence %v", got)
	}
	if m := a.Next(); m.Type != "storage:init" || string(m.Data) != `{"type":"storage:init","root":null}` {
		t.Fatalf("second message %s", m.Data)
	}
	b := ts.join("r1", "bob")
	if m := b.Next(); m.Type != "presence" {
		t.Fatalf("first message must be presence, got %s", m.Data)
	}
	waitPresence(t, a, "alice", "bob")
	rec.wait(t, "join:r1:alice")
	rec.wait(t, "join:r1:bob")
	b.Close()
	waitPresence(t, a, "alice")
	rec.wait(t, "leave:r1:bob")
	if n := rec.count("leave:r1:bob"); n != 1 {
		t.Fatalf("onLeave fired %d times", n)
	}
}

func TestPresence_KeyOrderAndColours(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	c := wstest.Dial(t, ts.roomURL("colours", "alice", "Alice"))
	m := c.NextOfType("presence")
	var p struct {
		Users []json.RawMessage `json:"users"`
	}
	if err := json.Unmarshal(m.Data, &p); err != nil || len(p.Users) != 1 {
		t.Fatal(string(m.Data), err)
	}
	keys := jsonKeys(t, p.Users[0])
	if want := "[userId displayName color connectedAt onlineStatus lastActiveAt isIdle]"; fmt.Sprint(keys) != want {
		t.Fatalf("keys %v want %s", keys, want)
	}
	if !strings.Contains(string(p.Users[0]), `"color":"#ef4444"`) || !strings.Contains(string(p.Users[0]), `"displayName":"Alice"`) {
		t.Fatalf("user %s", p.Users[0])
	}
	for user, colour := range map[string]string{"bob": "#8b5cf6", "u1": "#3b82f6"} {
		c := ts.join("colours-"+user, user)
		if m := c.NextOfType("presence"); !strings.Contains(string(m.Data), `"color":"`+colour+`"`) {
			t.Fatalf("%s: %s", user, m.Data)
		}
	}
	anon := wstest.Dial(t, ts.url+"/rooms/anon")
	m = anon.NextOfType("presence")
	if !strings.Contains(string(m.Data), `"displayName":"Anonymous"`) {
		t.Fatalf("anonymous: %s", m.Data)
	}
	// presence:update adds location and metadata after isIdle; metadata is replaced whole.
	c.Send(`{"type":"presence:update","location":"page-1","metadata":{"a":1,"<b>":"&"}}`)
	m = c.Until("updated presence", func(m wstest.Msg) bool { return m.Type == "presence" && strings.Contains(string(m.Data), "page-1") })
	if !strings.Contains(string(m.Data), `"isIdle":false,"location":"page-1","metadata":{"a":1,"<b>":"&"}}`) {
		t.Fatalf("presence update %s", m.Data)
	}
}

func jsonKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestCursor_RelayedToOthersWithInvalidFieldsDropped(t *testing.T) {
	for name, goroutines := range map[string]bool{"epoll": false, "goroutine-readers": true} {
		t.Run(name, func(t *testing.T) { testCursorRelay(t, lively.Config{GoroutineReaders: goroutines}) })
	}
}

func testCursorRelay(t *testing.T, cfg lively.Config) {
	ts := newTestServer(t, cfg)
	a := ts.join("cur", "alice")
	b := ts.join("cur", "bob")
	waitPresence(t, a, "alice", "bob")
	waitPresence(t, b, "alice", "bob")
	a.Send(`{"type":"cursor:update","x":10,"y":20.5,"cursorType":"grab","viewportPos":{"x":1,"y":2},"space":"fraction","extra":1}`)
	a.Send(`{"type":"cursor:update","x":"nope","y":1}`)
	m := b.NextOfType("cursor:update")
	var got struct {
		Cursor map[string]json.RawMessage `json:"cursor"`
	}
	if err := json.Unmarshal(m.Data, &got); err != nil {
		t.Fatal(err)
	}
	keys := jsonKeys(t, mustField(t, m.Data, "cursor"))
	if want := "[userId displayName color x y lastUpdate viewportPos space]"; fmt.Sprint(keys) != want {
		t.Fatalf("cursor keys %v (%s)", keys, m.Data)
	}
	if string(got.Cursor["userId"]) != `"alice"` || string(got.Cursor["y"]) != "20.5" {
		t.Fatalf("cursor %s", m.Data)
	}
	// The sender gets no echo: the next thing alice sees is her state echo.
	a.Send(`{"type":"state:update","key":"marker","value":1,"timestamp":1}`)
	if m := a.Until("no cursor echo", notJoinTraffic); m.Type != "state:update" {
		t.Fatalf("sender got %s", m.Data)
	}
	// The invalid cursor was dropped: bob's next non-presence message is the state update.
	if m := b.Until("next", notJoinTraffic); m.Type != "state:update" {
		t.Fatalf("invalid cursor relayed: %s", m.Data)
	}
}

// notJoinTraffic skips what every member gets around joins.
func notJoinTraffic(m wstest.Msg) bool {
	return m.Type != "presence" && m.Type != "storage:init" && m.Type != "state:init"
}

func mustField(t *testing.T, data []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func TestCustomMessage_RelayedRawToOthersAfterOnMessage(t *testing.T) {
	rec := newRecorder()
	ts := newTestServer(t, lively.Config{
		OnMessage: func(_ context.Context, room, sender string, msg json.RawMessage) {
			rec.add(room + "|" + sender + "|" + string(msg))
		},
	})
	a := ts.join("cm", "alice")
	b := ts.join("cm", "bob")
	waitPresence(t, b, "alice", "bob")
	raw := `{"type":"emoji","z":1,"a":"<&>","nested":{"k":[1,2]}}`
	a.Send(raw)
	if m := b.NextOfType("emoji"); string(m.Data) != raw {
		t.Fatalf("relay changed the message: %s", m.Data)
	}
	rec.wait(t, "cm|alice|"+raw)
	// A client sending a server type is relayed as custom (reference behaviour).
	a.Send(`{"type":"presence","users":[]}`)
	b.Until("spoofed presence relayed", func(m wstest.Msg) bool {
		return m.Type == "presence" && string(m.Data) == `{"type":"presence","users":[]}`
	})
}

func TestLiveState_LWWMergeEchoAndInit(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	a := ts.join("ls", "alice")
	b := ts.join("ls", "bob")
	waitPresence(t, b, "alice", "bob")
	a.Send(`{"type":"state:update","key":"k","value":{"a":1},"timestamp":5}`)
	want := `{"type":"state:update","key":"k","value":{"a":1},"timestamp":5,"userId":"alice"}`
	if m := a.NextOfType("state:update"); string(m.Data) != want {
		t.Fatalf("echo %s", m.Data)
	}
	if m := b.NextOfType("state:update"); string(m.Data) != want {
		t.Fatalf("broadcast %s", m.Data)
	}
	b.Send(`{"type":"state:update","key":"k","value":{"old":true},"timestamp":4}`) // older: rejected
	b.Send(`{"type":"state:update","key":"k","value":{"b":2},"timestamp":5,"merge":true}`)
	want = `{"type":"state:update","key":"k","value":{"a":1,"b":2},"timestamp":5,"userId":"bob"}`
	if m := a.NextOfType("state:update"); string(m.Data) != want {
		t.Fatalf("merge %s", m.Data)
	}
	if m := b.NextOfType("state:update"); string(m.Data) != want {
		t.Fatalf("merge echo %s", m.Data)
	}
	ok, err := ts.srv.SetLiveState("ls", "server", map[string]string{"html": "<b>"})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if m := a.NextOfType("state:update"); !strings.Contains(string(m.Data), `"value":{"html":"<b>"}`) || !strings.Contains(string(m.Data), `"userId":"__server__"`) {
		t.Fatalf("server state %s", m.Data)
	}
	c := ts.join("ls", "carol")
	m := c.NextOfType("state:init")
	if !strings.HasPrefix(string(m.Data), `{"type":"state:init","states":{"k":{"value":{"a":1,"b":2},"timestamp":5,"userId":"bob"},"server":{"value":{"html":"<b>"}`) {
		t.Fatalf("state:init %s", m.Data)
	}
	// A future timestamp from a client beats the server's now.
	a.Send(`{"type":"state:update","key":"future","value":1,"timestamp":99999999999999}`)
	a.Until("future echo", func(m wstest.Msg) bool { return m.Type == "state:update" && strings.Contains(string(m.Data), "future") })
	if ok, err := ts.srv.SetLiveState("ls", "future", 2); err != nil || ok {
		t.Fatalf("server write over a future timestamp: %v %v", ok, err)
	}
	if _, err := ts.srv.SetLiveState("nope", "k", 1); err == nil {
		t.Fatal("SetLiveState on a missing room must fail")
	}
}

func TestHeartbeat_OfflineRevivedAndSilentRemoved(t *testing.T) {
	rec := newRecorder()
	ts := newTestServer(t, lively.Config{
		Rooms: lively.RoomConfig{HeartbeatTimeout: 150 * time.Millisecond, HeartbeatInterval: 20 * time.Millisecond,
			OfflineRemoval: 300 * time.Millisecond, PresenceInterval: time.Millisecond},
		OnLeave: func(_ context.Context, room string, u lively.User) { rec.add("leave:" + u.UserID) },
	})
	watcher := ts.join("hb", "watcher")
	silent := ts.join("hb", "silent")
	waitPresence(t, watcher, "watcher", "silent")
	stopBeat := make(chan struct{})
	beatDone := make(chan struct{})
	go func() { // the watcher keeps heartbeating so that only "silent" goes away
		defer close(beatDone)
		tk := time.NewTicker(30 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopBeat:
				return
			case <-tk.C:
				watcher.Send(`{"type":"heartbeat"}`)
			}
		}
	}()
	defer func() { close(stopBeat); <-beatDone }()
	isOffline := func(m wstest.Msg) bool {
		return m.Type == "presence" && strings.Contains(string(m.Data), `"userId":"silent","displayName":"silent","color":"#`) &&
			strings.Contains(string(m.Data), `"onlineStatus":"offline"`)
	}
	watcher.Until("silent marked offline", isOffline)
	// A heartbeat revives it (A.2.3).
	silent.Send(`{"type":"heartbeat"}`)
	watcher.Until("silent revived", func(m wstest.Msg) bool {
		return m.Type == "presence" && !strings.Contains(string(m.Data), `"onlineStatus":"offline"`) && len(presenceUsers(t, m)) == 2
	})
	// Silent from now on: offline, then removed, onLeave once.
	watcher.Until("silent offline again", isOffline)
	waitPresence(t, watcher, "watcher")
	rec.wait(t, "leave:silent")
	if code, _ := silent.WaitClosed(); code != -1 {
		t.Fatalf("removed connection should be terminated, got close code %d", code)
	}
	if n := rec.count("leave:silent"); n != 1 {
		t.Fatalf("onLeave fired %d times", n)
	}
}

func TestCleanup_StateSurvivesQuickRejoinAndIsGoneAfter(t *testing.T) {
	ts := newTestServer(t, lively.Config{Rooms: lively.RoomConfig{CleanupTimeout: 300 * time.Millisecond}})
	a := ts.join("cl", "alice")
	a.Send(`{"type":"state:update","key":"k","value":1,"timestamp":1}`)
	a.NextOfType("state:update")
	a.Close()
	b := ts.join("cl", "bob") // well inside the grace period
	if m := b.NextOfType("state:init"); !strings.Contains(string(m.Data), `"k":{"value":1`) {
		t.Fatalf("state lost on quick rejoin: %s", m.Data)
	}
	b.Close()
	checkFor(t, 5*time.Second, func() error {
		for _, r := range ts.srv.Rooms() {
			if r.ID == "cl" {
				return fmt.Errorf("room still live")
			}
		}
		return nil
	})
	c := ts.join("cl", "carol")
	c.NextOfType("storage:init")
	c.Send(`{"type":"state:update","key":"probe","value":1,"timestamp":1}`)
	if m := c.Until("fresh room", func(m wstest.Msg) bool { return m.Type == "state:init" || m.Type == "state:update" }); m.Type != "state:update" {
		t.Fatalf("state survived cleanup: %s", m.Data)
	}
}

func TestUpgrade_RejectionCodes(t *testing.T) {
	ts := newTestServer(t, lively.Config{Rooms: lively.RoomConfig{MaxConnections: 1}})
	for _, c := range []struct {
		path string
		want int
	}{
		{"/rooms", 404}, {"/x/r1", 404}, {"/invalid/path", 404}, {"/rooms/", 400}, {"/rooms//a", 400},
		{"/rooms/" + strings.Repeat("a", 300), 400},
	} {
		_, status, err := wstest.TryDial(t, ts.url+c.path)
		if status != c.want {
			t.Errorf("%s: status %d (%v), want %d", c.path, status, err, c.want)
		}
	}
	// Rejections are a bare status line with no headers or body.
	for path, want := range map[string]string{"/rooms/": "HTTP/1.1 400 Bad Request\r\n\r\n", "/nope": "HTTP/1.1 404 Not Found\r\n\r\n",
		"/rooms/a^b": "HTTP/1.1 400 Bad Request\r\n\r\n"} {
		got, err := wstest.RawUpgrade(ts.srv.Addr().String(), path)
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	first := ts.join("full", "a")
	first.NextOfType("presence")
	if _, status, _ := wstest.TryDial(t, ts.roomURL("full", "b", "b")); status != 503 {
		t.Fatalf("full room: %d", status)
	}
	// Escaped ids are kept as-is and rest-of-path is ignored.
	c := wstest.Dial(t, ts.url+"/rooms/a%20b/ignored?userId=x")
	c.NextOfType("presence")
	checkFor(t, 5*time.Second, func() error {
		if ts.srv.RoomUsers("a%20b") == nil {
			return fmt.Errorf("room a%%20b not found")
		}
		return nil
	})
}

func TestAuth_HookAndJWT(t *testing.T) {
	ts := newTestServer(t, lively.Config{Authenticate: func(r *http.Request) (lively.Identity, error) {
		if r.URL.Query().Get("token") != "good" {
			return lively.Identity{}, fmt.Errorf("bad token")
		}
		return lively.Identity{UserID: "auth-user-1", DisplayName: "Authed"}, nil
	}})
	if _, status, _ := wstest.TryDial(t, ts.url+"/rooms/a?token=bad"); status != 401 {
		t.Fatalf("bad token: %d", status)
	}
	c := wstest.Dial(t, ts.url+"/rooms/a?token=good&userId=spoof")
	m := c.Next()
	if m.Type != "presence" || !strings.Contains(string(m.Data), `"userId":"auth-user-1","displayName":"Authed","color":"#3b82f6"`) {
		t.Fatalf("auth identity: %s", m.Data)
	}

	secret := []byte("s3cret")
	js := newTestServer(t, lively.Config{JWTSecret: secret})
	sign := func(claims jwt.MapClaims, key []byte) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(jwt.MapClaims{"sub": "u1", "name": "Una", "exp": time.Now().Add(time.Hour).Unix()}, secret)
	for name, tok := range map[string]string{
		"none": "", "garbage": "abc", "wrong key": sign(jwt.MapClaims{"sub": "u1"}, []byte("other")),
		"expired": sign(jwt.MapClaims{"sub": "u1", "exp": time.Now().Add(-time.Hour).Unix()}, secret),
	} {
		if _, status, _ := wstest.TryDial(t, js.url+"/rooms/j?token="+tok); status != 401 {
			t.Errorf("%s token: status %d", name, status)
		}
	}
	jc := wstest.Dial(t, js.url+"/rooms/j?token="+good)
	if m := jc.Next(); !strings.Contains(string(m.Data), `"userId":"u1","displayName":"Una"`) {
		t.Fatalf("jwt identity: %s", m.Data)
	}
}

func TestBadInput_CrashInputsDroppedServerKeepsServing(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	a := ts.join("bad", "alice")
	b := ts.join("bad", "bob")
	waitPresence(t, b, "alice", "bob")
	for _, in := range []string{
		`null`, `5`, `"str"`, `[1]`, `{`, `{"type":5}`, `{"type":"storage:init","root":{"type":"Foo"}}`,
		`{"type":"storage:init","root":{"type":"LiveObject"}}`, `{"type":"storage:ops","ops":[null]}`,
		`{"type":"storage:ops","ops":[{"type":"set","key":"x","value":1,"clock":1}]}`,
		`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"x","value":{"type":"LiveMap"},"clock":1}]}`,
		`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"x","value":1,"clock":"NaN"}]}`,
		`{"type":"yjs:update","data":"!!not base64"}`, `{"type":"yjs:sync-step1","data":"AAAA"}`,
		`{"type":"yjs:sync-step2","data":5}`, `{"type":"cursor:update","x":null,"y":1}`,
		`{"type":"state:update","key":"","value":1,"timestamp":1}`, "\xff\xfe\xfd",
	} {
		a.Send(in)
	}
	a.SendBinary([]byte{0xc1, 0x00})
	// Still serving: a custom message goes through, in order.
	a.Send(`{"type":"after","ok":true}`)
	b.NextOfType("after")
	c := ts.join("other-room", "carol")
	c.NextOfType("presence")
}

func TestLimits_OversizeFrameClosedWith1009(t *testing.T) {
	ts := newTestServer(t, lively.Config{MaxMessageBytes: 1024})
	a := ts.join("big", "alice")
	a.NextOfType("presence")
	a.Send(`{"type":"x","pad":"` + strings.Repeat("a", 2000) + `"}`)
	if code, _ := a.WaitClosed(); code != 1009 {
		t.Fatalf("close code %d, want 1009", code)
	}
}

func TestSlowConsumer_NeverReadingClientDisconnectedOthersUnaffected(t *testing.T) {
	ts := newTestServer(t, lively.Config{OutboxMaxBytes: 64 << 10, WriteTimeout: time.Second})
	stuck := wstest.DialNoRead(t, ts.roomURL("slow", "stuck", "stuck"))
	// Shrink the stuck client's kernel receive buffer so the server's
	// outbox fills quickly.
	if tc, ok := stuck.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	a := ts.join("slow", "alice")
	b := ts.join("slow", "bob")
	waitPresence(t, b, "stuck", "alice", "bob")
	payload := `{"type":"blob","data":"` + strings.Repeat("x", 8000) + `"}`
	deadline := time.Now().Add(wstest.Wait)
	gone := false
	for i := 0; !gone; i++ {
		if time.Now().After(deadline) {
			t.Fatal("never-reading client was not disconnected")
		}
		a.Send(payload)
		b.NextOfType("blob") // bob keeps receiving every message, undelayed by the stuck one
		for _, u := range ts.srv.RoomUsers("slow") {
			_ = u
		}
		gone = len(ts.srv.RoomUsers("slow")) == 2
	}
}

func TestJoinStorm_2000ClientsAllSeeFullPresence(t *testing.T) {
	if testing.Short() {
		t.Skip("join storm skipped in -short")
	}
	const n = 2000
	// Heartbeats are not part of this test: a slow (-race, loaded) run must
	// not see silent clients swept away.
	ts := newTestServer(t, lively.Config{Rooms: lively.RoomConfig{HeartbeatTimeout: time.Hour}})
	clients := make([]*wstest.PresenceCounter, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem }()
			id := fmt.Sprintf("u%04d", i)
			c, err := wstest.DialPresenceCounter(ts.roomURL("storm", id, id))
			clients[i] = c
			errs <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, c := range clients {
			c.Close()
		}
	})
	joined := time.Since(start)
	total := 0
	for _, c := range clients {
		c.WaitLatest(t, n, 60*time.Second)
	}
	for _, c := range clients {
		total += c.Presences()
	}
	t.Logf("%d clients connected in %s, all with the full list after %s; %d presence messages (N²/4 = %d)",
		n, joined, time.Since(start), total, n*n/4)
	if total >= n*n/4 {
		t.Fatalf("presence storm not coalesced: %d messages", total)
	}
}

func TestMsgpack_ClientInAMixedRoom(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	j := ts.join("mp", "json")
	mp := wstest.Dial(t, ts.roomURL("mp", "mpuser", "MP")+"&encoding=msgpack")
	first := mp.Next()
	if !first.Binary {
		t.Fatalf("msgpack client got a text frame: %s", first.Data)
	}
	waitPresence(t, j, "json", "mpuser")
	// msgpack → JSON relay keeps the shape.
	msg, _ := codecJSONToMsgpack(`{"type":"hello","n":1,"s":"<x>"}`)
	mp.SendBinary(msg)
	if m := j.NextOfType("hello"); string(m.Data) != `{"type":"hello","n":1,"s":"<x>"}` {
		t.Fatalf("relayed %s", m.Data)
	}
	j.Send(`{"type":"back","v":[1,2]}`)
	m := mp.Until("binary relay", func(m wstest.Msg) bool {
		js, err := codecMsgpackToJSON(m.Data)
		return err == nil && strings.Contains(js, `"type":"back"`)
	})
	if js, _ := codecMsgpackToJSON(m.Data); js != `{"type":"back","v":[1,2]}` {
		t.Fatalf("msgpack relay %s", js)
	}
}

func TestHandlers_CustomMessageActorRepliesAndBroadcasts(t *testing.T) {
	ts := newTestServer(t, lively.Config{Handlers: map[string]lively.HandlerFactory{
		"ai:request": func(roomID string) lively.Handler {
			count := 0 // handler state: owned by the handler's actor
			return lively.HandlerFunc(func(hc *lively.HandlerContext, msg *lively.CustomMessage) {
				count++
				hc.Reply([]byte(fmt.Sprintf(`{"type":"ai:reply","n":%d,"room":%q}`, count, hc.RoomID())))
				hc.BroadcastOthers([]byte(`{"type":"ai:busy","by":"` + msg.SenderUserID + `"}`))
			})
		},
	}})
	a := ts.join("ai", "alice")
	b := ts.join("ai", "bob")
	waitPresence(t, b, "alice", "bob")
	a.Send(`{"type":"ai:request","prompt":"hi"}`)
	a.Send(`{"type":"ai:request","prompt":"again"}`)
	if m := a.NextOfType("ai:reply"); string(m.Data) != `{"type":"ai:reply","n":1,"room":"ai"}` {
		t.Fatalf("reply %s", m.Data)
	}
	if m := a.NextOfType("ai:reply"); !strings.Contains(string(m.Data), `"n":2`) {
		t.Fatalf("reply %s", m.Data)
	}
	if m := b.NextOfType("ai:busy"); string(m.Data) != `{"type":"ai:busy","by":"alice"}` {
		t.Fatalf("broadcast %s", m.Data)
	}
	// The request itself is not relayed when a handler owns the type.
	b.Send(`{"type":"marker"}`)
	if m := a.Until("marker", func(m wstest.Msg) bool { return m.Type == "marker" || m.Type == "ai:request" }); m.Type != "marker" {
		t.Fatalf("handled type was relayed: %s", m.Data)
	}
}

func TestSDK_BroadcastUsersRooms(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	a := ts.join("sdk", "alice")
	a.NextOfType("presence") // alice is in before bob dials: the join order is the list order
	b := ts.join("sdk", "bob")
	waitPresence(t, a, "alice", "bob")
	users := ts.srv.RoomUsers("sdk")
	if len(users) != 2 || users[0].UserID != "alice" || users[1].OnlineStatus != "online" {
		t.Fatalf("users %+v", users)
	}
	if !ts.srv.BroadcastToRoom("sdk", []byte(`{"type":"news"}`), users[1].ConnectionID) {
		t.Fatal("broadcast to a live room returned false")
	}
	a.NextOfType("news")
	if ts.srv.BroadcastToRoom("missing", []byte(`{}`)) {
		t.Fatal("broadcast to a missing room returned true")
	}
	b.Send(`{"type":"marker"}`)
	a.NextOfType("marker")
	b.Send(`{"type":"state:update","key":"k","value":1,"timestamp":1}`)
	if m := b.Until("no news for excluded bob", func(m wstest.Msg) bool { return m.Type == "news" || m.Type == "state:update" }); m.Type != "state:update" {
		t.Fatal("excluded connection got the broadcast")
	}
	rooms := ts.srv.Rooms()
	if len(rooms) != 1 || rooms[0].ID != "sdk" || rooms[0].Size != 2 {
		t.Fatalf("rooms %+v", rooms)
	}
}

func TestStaleEviction_ReconnectReplacesOfflineConnection(t *testing.T) {
	rec := newRecorder()
	ts := newTestServer(t, lively.Config{
		OnLeave: func(_ context.Context, room string, u lively.User) { rec.add("leave:" + u.UserID) },
	})
	old := ts.join("ev", "alice")
	watcher := ts.join("ev", "watch")
	waitPresence(t, watcher, "alice", "watch")
	old.Send(`{"type":"presence:update","onlineStatus":"offline"}`)
	watcher.Until("alice offline", func(m wstest.Msg) bool {
		return m.Type == "presence" && strings.Contains(string(m.Data), `"onlineStatus":"offline"`)
	})
	fresh := ts.join("ev", "alice")
	fresh.NextOfType("presence")
	if code, _ := old.WaitClosed(); code != -1 {
		t.Fatalf("evicted connection got close code %d, want terminated", code)
	}
	rec.wait(t, "leave:alice")
	waitPresence(t, watcher, "alice", "watch")
}

func TestHTTP_HealthUpgradeRequiredAndShutdownCloses1001(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	resp, err := http.Get(ts.http() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || body != `{"status":"ok"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("health %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	// GET / is the REST discovery document (PROTOCOL.md Part D); other
	// plain requests get the reference's 426.
	for _, p := range []string{"/health/", "/rooms/x", "/nothing-here"} {
		resp, err := http.Get(ts.http() + p)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 426 || body != "Upgrade required" {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, body)
		}
	}
	resp, err = http.Get(ts.http() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); !strings.Contains(body, "lively_connections") {
		t.Fatalf("metrics missing: %.200s", body)
	}
	c := ts.join("bye", "alice")
	c.NextOfType("presence")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if code, _ := c.WaitClosed(); code != 1001 {
		t.Fatalf("shutdown close code %d, want 1001", code)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestHandler_MountedInTheUsersServer: the library use, srv.Handler() in
// the user's own net/http server (no Start), with a user Fallback.
func TestHandler_MountedInTheUsersServer(t *testing.T) {
	srv, err := lively.New(lively.Config{Fallback: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("app")) // the test reads it back
	})})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Error(err)
		}
		hs.Close()
	})
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	a := wstest.Dial(t, url+"/rooms/mounted?userId=alice")
	if m := a.Next(); m.Type != "presence" {
		t.Fatalf("first message %s", m.Data)
	}
	resp, err := http.Get(hs.URL + "/app/page")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "app" {
		t.Fatalf("fallback got %q", body)
	}
}

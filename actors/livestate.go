package actors

import "github.com/lively-actor/lively/codec"

// liveState is a room's ephemeral key/value store with the reference's LWW
// rule: accept when there is no entry or timestamp >= the stored one.
type liveState struct {
	entries map[string]*codec.StateEntry
	order   []string
}

// apply stores an update and returns the stored entry, or nil if rejected.
func (s *liveState) apply(u *codec.StateUpdate, userID string) *codec.StateEntry {
	old := s.entries[u.Key]
	if old != nil && u.Timestamp < old.Timestamp {
		return nil
	}
	value := u.Value
	if u.Merge && old != nil && old.Value != nil && value != nil && codec.IsObjectLike(old.Value) && codec.IsObjectLike(value) {
		if merged, err := codec.ShallowMerge(old.Value, value); err == nil {
			value = merged
		}
	}
	e := &codec.StateEntry{Key: u.Key, KeyRaw: u.KeyRaw, Value: value, Timestamp: u.Timestamp, UserID: userID}
	if s.entries == nil {
		s.entries = map[string]*codec.StateEntry{}
	}
	if old == nil {
		s.order = append(s.order, u.Key)
	}
	s.entries[u.Key] = e
	return e
}

func (s *liveState) empty() bool { return len(s.entries) == 0 }

func (s *liveState) list() []*codec.StateEntry {
	out := make([]*codec.StateEntry, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, s.entries[k])
	}
	return out
}

package actors

import "errors"

// Sentinel errors.
var (
	// ErrRoomFull means the room reached RoomConfig.MaxConnections.
	ErrRoomFull = errors.New("actors: room is full")
	// ErrTooManyRooms means the process reached Config.MaxRooms.
	ErrTooManyRooms = errors.New("actors: too many rooms")
	// ErrNoRoom means the room does not exist.
	ErrNoRoom = errors.New("actors: no such room")
	// ErrRoomFailed means the room failed (its store could not load it)
	// and is being replaced: the next attempt starts it afresh.
	ErrRoomFailed = errors.New("actors: room failed; try again")
	// ErrNoStorage means the room's storage is not initialized.
	ErrNoStorage = errors.New("actors: storage not initialized")
)

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
	// ErrNoStorage means the room's storage is not initialized.
	ErrNoStorage = errors.New("actors: storage not initialized")
)

package roomscli

import "errors"

var (
	// ErrUsage marks a command line that cannot be run (exit code 2).
	ErrUsage = errors.New("roomscli: usage")

	// ErrRoomNotFound marks a room id with nothing stored (exit code 1).
	ErrRoomNotFound = errors.New("roomscli: room not found")

	// ErrImportFailed marks an import in which some rooms failed (exit code
	// 1); the others were imported.
	ErrImportFailed = errors.New("roomscli: some rooms could not be imported")
)

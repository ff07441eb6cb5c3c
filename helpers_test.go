package lively_test

import (
	"bufio"
	"fmt"
	"io"

	"github.com/lively-actor/lively/codec"
)

func codecJSONToMsgpack(s string) ([]byte, error) { return codec.JSONToMsgpack(nil, []byte(s)) }

func codecMsgpackToJSON(b []byte) (string, error) {
	j, err := codec.MsgpackToJSON(nil, b)
	return string(j), err
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

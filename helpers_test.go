package lively_test

import "github.com/lively-actor/lively/codec"

func codecJSONToMsgpack(s string) ([]byte, error) { return codec.JSONToMsgpack(nil, []byte(s)) }

func codecMsgpackToJSON(b []byte) (string, error) {
	j, err := codec.MsgpackToJSON(nil, b)
	return string(j), err
}

package codec

import (
	"fmt"

	"bytes"
	"encoding/json"
	"errors"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
	"io"
	"math"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"
)

// jsonToMsgpackRef is the encoding/json + msgpack.Encoder transcoder that
// JSONToMsgpack replaced, kept as the reference it is tested against.
// It transcodes one JSON value to MessagePack with the same shape:
// objects become maps with string keys in the same order, integral numbers
// that fit int64 become integers, other numbers float64. It is how a room
// encodes a broadcast once for its msgpack members.
func jsonToMsgpackRef(dst []byte, data []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := msgpack.NewEncoder(buf)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := jsonValueToMsgpack(dec, enc, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrInvalidJSON
	}
	return buf.Bytes(), nil
}

func jsonValueToMsgpack(dec *json.Decoder, enc *msgpack.Encoder, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return ErrInvalidJSON
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			// Collect members first: msgpack needs the count up front.
			var sub bytes.Buffer
			senc := msgpack.NewEncoder(&sub)
			n := 0
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return ErrInvalidJSON
				}
				k, _ := kt.(string)
				if err := senc.EncodeString(k); err != nil {
					return err
				}
				if err := jsonValueToMsgpack(dec, senc, depth+1); err != nil {
					return err
				}
				n++
			}
			if _, err := dec.Token(); err != nil {
				return ErrInvalidJSON
			}
			if err := enc.EncodeMapLen(n); err != nil {
				return err
			}
			return writeRaw(enc, sub.Bytes())
		case '[':
			var sub bytes.Buffer
			senc := msgpack.NewEncoder(&sub)
			n := 0
			for dec.More() {
				if err := jsonValueToMsgpack(dec, senc, depth+1); err != nil {
					return err
				}
				n++
			}
			if _, err := dec.Token(); err != nil {
				return ErrInvalidJSON
			}
			if err := enc.EncodeArrayLen(n); err != nil {
				return err
			}
			return writeRaw(enc, sub.Bytes())
		}
		return ErrInvalidJSON
	case string:
		return enc.EncodeString(v)
	case json.Number:
		s := string(v)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return enc.EncodeInt(i)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return ErrInvalidJSON
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return enc.EncodeInt(int64(f))
		}
		return enc.EncodeFloat64(f)
	case bool:
		return enc.EncodeBool(v)
	case nil:
		return enc.EncodeNil()
	}
	return ErrInvalidJSON
}

func writeRaw(enc *msgpack.Encoder, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return enc.Encode(msgpack.RawMessage(b))
}

// msgpackToJSONRef is the msgpack.Decoder transcoder MsgpackToJSON
// replaced, kept as the reference it is tested against. It transcodes one
// MessagePack value to JSON, keeping map order.
// Map keys must be strings or integers; binary, extension and timestamp
// values have no JSON equivalent and are rejected. Trailing bytes are an error.
func msgpackToJSONRef(dst []byte, data []byte) ([]byte, error) {
	r := bytes.NewReader(data)
	dec := msgpack.NewDecoder(r)
	out, err := msgpackValueToJSON(dec, r, dst, 0)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", ErrInvalidMsgpack)
	}
	return out, nil
}

func msgpackValueToJSON(dec *msgpack.Decoder, r *bytes.Reader, dst []byte, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return nil, ErrTooDeep
	}
	c, err := dec.PeekCode()
	if err != nil {
		return nil, ErrInvalidMsgpack
	}
	bad := func(err error) ([]byte, error) { return nil, fmt.Errorf("%w: %v", ErrInvalidMsgpack, err) }
	switch {
	case c == msgpcode.Nil:
		if err := dec.DecodeNil(); err != nil {
			return bad(err)
		}
		return append(dst, "null"...), nil
	case c == msgpcode.True || c == msgpcode.False:
		b, err := dec.DecodeBool()
		if err != nil {
			return bad(err)
		}
		return strconv.AppendBool(dst, b), nil
	case msgpcode.IsFixedNum(c) || c == msgpcode.Int8 || c == msgpcode.Int16 || c == msgpcode.Int32 || c == msgpcode.Int64:
		i, err := dec.DecodeInt64()
		if err != nil {
			return bad(err)
		}
		return strconv.AppendInt(dst, i, 10), nil
	case c == msgpcode.Uint8 || c == msgpcode.Uint16 || c == msgpcode.Uint32 || c == msgpcode.Uint64:
		u, err := dec.DecodeUint64()
		if err != nil {
			return bad(err)
		}
		return strconv.AppendUint(dst, u, 10), nil
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := dec.DecodeFloat64()
		if err != nil {
			return bad(err)
		}
		return AppendNumber(dst, f), nil
	case msgpcode.IsString(c):
		n, err := dec.DecodeBytesLen()
		if err != nil || n < 0 || n > r.Len() {
			return bad(fmt.Errorf("string length %d", n))
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return bad(err)
		}
		return AppendString(dst, string(b)), nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := dec.DecodeArrayLen()
		if err != nil || n < 0 || n > r.Len() {
			return bad(fmt.Errorf("array length %d", n))
		}
		dst = append(dst, '[')
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = msgpackValueToJSON(dec, r, dst, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := dec.DecodeMapLen()
		if err != nil || n < 0 || n > r.Len() {
			return bad(fmt.Errorf("map length %d", n))
		}
		dst = append(dst, '{')
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			kc, err := dec.PeekCode()
			if err != nil {
				return bad(err)
			}
			switch {
			case msgpcode.IsString(kc):
				k, err := dec.DecodeString()
				if err != nil {
					return bad(err)
				}
				dst = AppendString(dst, k)
			case msgpcode.IsFixedNum(kc) || (kc >= msgpcode.Uint8 && kc <= msgpcode.Int64):
				k, err := dec.DecodeInt64()
				if err != nil {
					return bad(err)
				}
				dst = AppendString(dst, strconv.FormatInt(k, 10))
			default:
				return bad(fmt.Errorf("map key code %#x", kc))
			}
			dst = append(dst, ':')
			if dst, err = msgpackValueToJSON(dec, r, dst, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return bad(fmt.Errorf("unsupported code %#x", c))
}

package jws

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/lanyardhq/lanyard/internal/jsonscan"
)

// maxDepth is encoding/json's nesting limit, so that the two refuse the same documents.
const maxDepth = 10000

// linearNames is how many names of one object are compared pairwise before a map takes over, so that
// a 1 MB token of one huge object costs linear time, not quadratic.
const linearNames = 16

// CheckObject reports whether b is one JSON object (RFC 8259, UTF-8, whitespace around it allowed) in
// which no object, at any depth, names a member twice. Names are compared as they decode, as a parser
// sees them: "a" and "\u0061" are the same name.
//
// It is written by hand rather than built on encoding/json's tokenizer, which allocates for every
// token: on the claims of a 22 KB access token that would cost more than the signature check.
// FuzzParse compares it with encoding/json.
func CheckObject(b []byte) error {
	c := checker{b: b}
	c.space()
	if c.peek() != '{' {
		return errNotAnObject
	}
	if err := c.value(0); err != nil {
		return err
	}
	c.space()
	if c.i != len(b) {
		return errTrailingData
	}
	return nil
}

type checker struct {
	b []byte
	i int
	// names holds the decoded names read so far of the objects being read, outermost first.
	names [][]byte
}

func (c *checker) peek() byte {
	if c.i < len(c.b) {
		return c.b[c.i]
	}
	return 0
}

func (c *checker) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *checker) value(depth int) error {
	switch ch := c.peek(); {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		_, err := c.str(false)
		return err
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	case ch == '-' || '0' <= ch && ch <= '9':
		return c.number()
	}
	return errJSON
}

func (c *checker) object(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	c.i++ // '{'
	c.space()
	if c.peek() == '}' {
		c.i++
		return nil
	}
	first := len(c.names)
	var seen map[string]struct{}
	for {
		c.space()
		if c.peek() != '"' {
			return errJSON
		}
		name, err := c.str(true)
		if err != nil {
			return err
		}
		if seen == nil {
			for _, n := range c.names[first:] {
				if bytes.Equal(n, name) {
					return errDuplicate
				}
			}
			if c.names = append(c.names, name); len(c.names)-first > linearNames {
				seen = make(map[string]struct{}, 2*linearNames)
				for _, n := range c.names[first:] {
					seen[string(n)] = struct{}{}
				}
			}
		} else {
			if _, dup := seen[string(name)]; dup {
				return errDuplicate
			}
			seen[string(name)] = struct{}{}
		}
		c.space()
		if c.peek() != ':' {
			return errJSON
		}
		c.i++
		c.space()
		if err := c.value(depth); err != nil {
			return err
		}
		c.space()
		switch c.peek() {
		case ',':
			c.i++
		case '}':
			c.i++
			c.names = c.names[:first]
			return nil
		default:
			return errJSON
		}
	}
}

func (c *checker) array(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	c.i++ // '['
	c.space()
	if c.peek() == ']' {
		c.i++
		return nil
	}
	for {
		c.space()
		if err := c.value(depth); err != nil {
			return err
		}
		c.space()
		switch c.peek() {
		case ',':
			c.i++
		case ']':
			c.i++
			return nil
		default:
			return errJSON
		}
	}
}

// str reads a string and, if decode is set, returns its decoded value.
func (c *checker) str(decode bool) ([]byte, error) {
	start := c.i
	c.i++ // '"'
	escaped := false
	for c.i < len(c.b) {
		c.i += jsonscan.PlainPrefix(c.b[c.i:])
		for c.i < len(c.b) && plain[c.b[c.i]] {
			c.i++
		}
		if c.i == len(c.b) {
			break
		}
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			if !decode {
				return nil, nil
			}
			if !escaped {
				return c.b[start+1 : c.i-1], nil
			}
			// Rare enough (Lanyard's writers escape only what they must) to leave to encoding/json,
			// which also decides what a lone surrogate escape becomes.
			var s string
			if json.Unmarshal(c.b[start:c.i], &s) != nil {
				return nil, errJSON
			}
			return []byte(s), nil
		case ch == '\\':
			escaped = true
			if c.i+1 >= len(c.b) {
				return nil, errJSON
			}
			switch c.b[c.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				c.i += 2
			case 'u':
				if c.i+6 > len(c.b) {
					return nil, errJSON
				}
				for _, h := range c.b[c.i+2 : c.i+6] {
					if !isHex(h) {
						return nil, errJSON
					}
				}
				c.i += 6
			default:
				return nil, errJSON
			}
		case ch < 0x20:
			return nil, errJSON
		default:
			r, size := utf8.DecodeRune(c.b[c.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errInvalidUTF8
			}
			c.i += size
		}
	}
	return nil, errJSON
}

// plain marks the bytes a string holds as they are: printable ASCII but the quote and the backslash.
var plain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

func isHex(h byte) bool {
	return '0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F'
}

func (c *checker) literal(lit string) error {
	if !bytes.HasPrefix(c.b[c.i:], []byte(lit)) {
		return errJSON
	}
	c.i += len(lit)
	return nil
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *checker) number() error {
	if c.peek() == '-' {
		c.i++
	}
	switch ch := c.peek(); {
	case ch == '0':
		c.i++
	case '1' <= ch && ch <= '9':
		c.digits()
	default:
		return errJSON
	}
	if c.peek() == '.' {
		c.i++
		if c.digits() == 0 {
			return errJSON
		}
	}
	if ch := c.peek(); ch == 'e' || ch == 'E' {
		c.i++
		if ch := c.peek(); ch == '+' || ch == '-' {
			c.i++
		}
		if c.digits() == 0 {
			return errJSON
		}
	}
	return nil
}

func (c *checker) digits() int {
	start := c.i
	for c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9' {
		c.i++
	}
	return c.i - start
}

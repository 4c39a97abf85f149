// Package jsonscan holds the fast path that both of Lanyard's hand-written JSON walkers share: the
// custom data renderer (store/mongo), whose output is pasted into signed tokens, and the strict token
// parser (jws).
package jsonscan

import "encoding/binary"

// PlainPrefix returns how many leading bytes of s, in whole words of 8, are plain: printable ASCII other
// than '"' and '\\', which a JSON string holds as they are. Custom data and token claims are mostly such
// text, and testing it a byte at a time was most of what rendering a 4 KB document cost.
func PlainPrefix(s []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		quote, backslash := w^(ones*'"'), w^(ones*'\\')
		// Each term sets a byte's high bit when that byte (or one below it that is not plain either) is
		// non-ASCII, a control character, '"' or '\\' (the zero-byte test of Hacker's Delight, 6-1).
		if (w|(w-ones*0x20)|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0 {
			break
		}
	}
	return i
}

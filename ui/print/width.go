package print

import (
	"unicode"
	"unicode/utf8"
)

// Terminal widths without a dependency: a rune is 0 columns if it is a
// combining mark, a format character (zero-width joiner, variation
// selector, ...) or a control character; 2 if it is in the East Asian Wide
// or Fullwidth ranges below (CJK, Hangul, kana, fullwidth forms, most
// emoji); 1 otherwise. This is an approximation of Unicode's
// EastAsianWidth and of what terminals do: an emoji sequence joined with
// U+200D counts each of its emoji (terminals disagree on those anyway), and
// ambiguous-width characters count 1.

// wide lists the ranges of East Asian Wide (W) and Fullwidth (F)
// characters, coarsened to the blocks that matter in data, sorted.
var wide = [][2]rune{
	{0x1100, 0x115F},   // Hangul Jamo initials
	{0x231A, 0x231B},   // watch, hourglass
	{0x2329, 0x232A},   // angle brackets
	{0x23E9, 0x23EC},   // media controls
	{0x23F0, 0x23F0},   // alarm clock
	{0x23F3, 0x23F3},   // hourglass
	{0x25FD, 0x25FE},   // squares
	{0x2614, 0x2615},   // umbrella, hot beverage
	{0x2648, 0x2653},   // zodiac
	{0x267F, 0x267F},   // wheelchair
	{0x2693, 0x2693},   // anchor
	{0x26A1, 0x26A1},   // high voltage
	{0x26AA, 0x26AB},   // circles
	{0x26BD, 0x26BE},   // balls
	{0x26C4, 0x26C5},   // snowman, sun
	{0x26CE, 0x26CE},   // ophiuchus
	{0x26D4, 0x26D4},   // no entry
	{0x26EA, 0x26EA},   // church
	{0x26F2, 0x26F5},   // fountain .. sailboat
	{0x26FA, 0x26FA},   // tent
	{0x26FD, 0x26FD},   // fuel pump
	{0x2705, 0x2705},   // check mark
	{0x270A, 0x270B},   // fists
	{0x2728, 0x2728},   // sparkles
	{0x274C, 0x274C},   // cross mark
	{0x274E, 0x274E},   // cross mark
	{0x2753, 0x2755},   // question marks
	{0x2757, 0x2757},   // exclamation
	{0x2795, 0x2797},   // plus, minus, divide
	{0x27B0, 0x27B0},   // curly loop
	{0x27BF, 0x27BF},   // double curly loop
	{0x2B1B, 0x2B1C},   // large squares
	{0x2B50, 0x2B50},   // star
	{0x2B55, 0x2B55},   // circle
	{0x2E80, 0x303E},   // CJK radicals .. CJK symbols and punctuation
	{0x3041, 0x33FF},   // kana .. CJK compatibility
	{0x3400, 0x4DBF},   // CJK extension A
	{0x4E00, 0x9FFF},   // CJK unified ideographs
	{0xA000, 0xA4CF},   // Yi
	{0xA960, 0xA97F},   // Hangul Jamo extended A
	{0xAC00, 0xD7A3},   // Hangul syllables
	{0xF900, 0xFAFF},   // CJK compatibility ideographs
	{0xFE10, 0xFE19},   // vertical forms
	{0xFE30, 0xFE6F},   // CJK compatibility forms, small forms
	{0xFF00, 0xFF60},   // fullwidth forms
	{0xFFE0, 0xFFE6},   // fullwidth signs
	{0x16FE0, 0x16FE4}, // ideographic symbols
	{0x17000, 0x18AFF}, // Tangut
	{0x1B000, 0x1B2FF}, // kana supplement, Nushu
	{0x1F004, 0x1F004}, // mahjong
	{0x1F0CF, 0x1F0CF}, // joker
	{0x1F18E, 0x1F18E}, // AB button
	{0x1F191, 0x1F19A}, // squared words
	{0x1F200, 0x1F251}, // enclosed ideographic supplement
	{0x1F300, 0x1F64F}, // pictographs, emoticons
	{0x1F680, 0x1F6FF}, // transport and map
	{0x1F7E0, 0x1F7EB}, // coloured circles and squares
	{0x1F90C, 0x1F9FF}, // supplemental symbols and pictographs
	{0x1FA70, 0x1FAFF}, // symbols and pictographs extended A
	{0x20000, 0x2FFFD}, // CJK extensions B..F
	{0x30000, 0x3FFFD}, // CJK extension G..
}

// runeWidth is the number of terminal columns r takes (see above).
func runeWidth(r rune) int {
	switch {
	case r < 0x20 || (r >= 0x7F && r < 0xA0):
		return 0
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r < wide[0][0]:
		return 1
	}
	lo, hi := 0, len(wide)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < wide[m][0]:
			hi = m
		case r > wide[m][1]:
			lo = m + 1
		default:
			return 2
		}
	}
	return 1
}

// stringWidth is the number of terminal columns s takes.
func stringWidth(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		// ASCII fast path: most cells are plain text.
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7F {
				w++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w += runeWidth(r)
		i += size - 1
	}
	return w
}

// truncate appends to b the longest prefix of s, plus "…", that fits in
// width columns, or s itself if it fits, and returns the width appended
// (less than width when a wide rune did not fit). Combining marks after
// the last rune kept stay with it.
func truncate(b []byte, s string, width int) ([]byte, int) {
	if w := stringWidth(s); w <= width {
		return append(b, s...), w
	}
	if width <= 0 {
		return b, 0
	}
	budget := width - 1 // room for "…"
	w, end := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		rw := runeWidth(r)
		if w+rw > budget {
			break
		}
		w += rw
		i += size
		end = i
	}
	b = append(b, s[:end]...)
	return append(b, "…"...), w + 1
}

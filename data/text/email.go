package text

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"unicode"
)

// maxParts bounds the MIME parts visited in one message (nested multiparts included).
const maxParts = 64

// EmailText extracts the readable text of a raw RFC 5322 message: "Subject: <subject>"
// followed by the body, with runs of white space collapsed to one space. The body is the
// concatenation of the message's text/plain parts (MIME multipart walked recursively,
// quoted-printable and base64 decoded); a message without a text/plain part uses its
// text/html parts with tags, scripts and styles removed and entities decoded. Other
// headers (routing, mailing-list and anti-spam headers) are left out on purpose: they
// would let a classifier recognise the corpus' collection setup rather than the message.
//
// Charsets: UTF-8 and US-ASCII are read as UTF-8 (invalid bytes become U+FFFD),
// ISO-8859-1/-15 and Windows-1252 as Latin-1; in any other charset the bytes above 0x7F are
// dropped. A message that cannot be parsed as MIME is taken as headers up to the first
// empty line and a plain body.
func EmailText(raw []byte) string {
	var sb strings.Builder
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		hdr, body := splitHeader(raw)
		sb.WriteString("Subject: " + decodeHeader(headerValue(hdr, "Subject")) + "\n")
		sb.WriteString(toUTF8(body, ""))
		return collapse(sb.String())
	}
	sb.WriteString("Subject: " + decodeHeader(msg.Header.Get("Subject")) + "\n")
	body, _ := io.ReadAll(msg.Body)
	plain, htm := []string{}, []string{}
	parts := 0
	walkPart(textproto.MIMEHeader(msg.Header), body, &plain, &htm, &parts)
	switch {
	case len(plain) > 0:
		sb.WriteString(strings.Join(plain, "\n"))
	case len(htm) > 0:
		sb.WriteString(strings.Join(htm, "\n"))
	}
	return collapse(sb.String())
}

// walkPart collects the text of a MIME entity.
func walkPart(h textproto.MIMEHeader, body []byte, plain, htm *[]string, parts *int) {
	*parts++
	if *parts > maxParts {
		return
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mt, params = "text/plain", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") {
		if b := params["boundary"]; b != "" {
			mr := multipart.NewReader(bytes.NewReader(body), b)
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					break
				}
				pb, err := io.ReadAll(p)
				if err != nil && len(pb) == 0 {
					break
				}
				walkPart(p.Header, pb, plain, htm, parts)
				if *parts > maxParts {
					break
				}
			}
			return
		}
		mt = "text/plain" // a multipart without a boundary: read it as text
	}
	if mt == "message/rfc822" {
		if m, err := mail.ReadMessage(bytes.NewReader(body)); err == nil {
			b, _ := io.ReadAll(m.Body)
			walkPart(textproto.MIMEHeader(m.Header), b, plain, htm, parts)
		}
		return
	}
	if mt != "text/plain" && mt != "text/html" {
		return
	}
	dec := decodeTransfer(body, h.Get("Content-Transfer-Encoding"))
	s := toUTF8(dec, params["charset"])
	if mt == "text/html" {
		*htm = append(*htm, stripHTML(s))
	} else {
		*plain = append(*plain, s)
	}
}

func decodeTransfer(b []byte, enc string) []byte {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		if err != nil && len(out) == 0 {
			return b
		}
		return out
	case "base64":
		clean := make([]byte, 0, len(b))
		for _, c := range b {
			if !unicode.IsSpace(rune(c)) {
				clean = append(clean, c)
			}
		}
		// Tolerate missing padding and trailing garbage: decode the longest valid prefix.
		clean = bytes.TrimRight(clean, "=")
		n := len(clean) / 4 * 4
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		k, err := base64.RawStdEncoding.Decode(out, clean)
		if err != nil {
			k, _ = base64.RawStdEncoding.Decode(out, clean[:n])
		}
		return out[:k]
	}
	return b
}

// toUTF8 converts bytes in a charset to a UTF-8 string.
func toUTF8(b []byte, charset string) string {
	switch strings.ToLower(strings.Trim(charset, `"' `)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252", "cp1252":
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs)
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		}
	}
	return string(out)
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(toUTF8(b, charset)), nil
}}

// decodeHeader decodes RFC 2047 encoded words; undecodable headers are kept as they are.
func decodeHeader(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return toUTF8([]byte(s), "")
	}
	return strings.ToValidUTF8(d, "\uFFFD")
}

func splitHeader(raw []byte) (hdr, body []byte) {
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 {
			return raw[:i], raw[i+len(sep):]
		}
	}
	return raw, nil
}

// headerValue returns the (unfolded) value of the first header with the given name.
func headerValue(hdr []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(hdr))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var val []string
	in := false
	for sc.Scan() {
		line := sc.Text()
		if in {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				val = append(val, strings.TrimSpace(line))
				continue
			}
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			val, in = append(val, strings.TrimSpace(v)), true
		}
	}
	return strings.Join(val, " ")
}

var (
	scriptRe  = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)\s*>`)
	commentRe = regexp.MustCompile(`(?s)<!--.*?-->`)
	tagRe     = regexp.MustCompile(`(?s)<[^>]*>`)
)

// stripHTML removes scripts, styles, comments and tags and decodes entities.
func stripHTML(s string) string {
	s = scriptRe.ReplaceAllString(s, " ")
	s = commentRe.ReplaceAllString(s, " ")
	s = tagRe.ReplaceAllString(s, " ")
	return html.UnescapeString(s)
}

// collapse replaces every run of white space by one space and trims the ends.
func collapse(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteRune(r)
	}
	return sb.String()
}

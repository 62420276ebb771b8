package safefile

import (
	"bytes"
	"encoding/json"
)

// DecodeJSON decodes the first JSON value of data into v strictly: an object field that v
// has no place for is an error (a misspelt key of a hand-edited file is reported, never
// silently dropped).
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// JSONError reports a file that was read but is not the JSON document its reader wants.
type JSONError struct {
	// Name is the file as the reader named it (the path given to ReadJSON, the name given
	// to ReadJSONIn).
	Name string
	// Err is the decoder's error.
	Err error
}

// Error names the file and the decoder's complaint.
func (e *JSONError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the decoder's error.
func (e *JSONError) Unwrap() error { return e.Err }

// ReadJSON reads the regular file at path, at most limit bytes (as ReadFile), and decodes it
// into v with DecodeJSON. A read error is returned as ReadFile returns it; a decode error is
// a *JSONError naming path.
func ReadJSON(path string, limit int64, v any) error {
	data, err := ReadFile(path, limit)
	if err != nil {
		return err
	}
	if err := DecodeJSON(data, v); err != nil {
		return &JSONError{Name: path, Err: err}
	}
	return nil
}

// ReadJSONIn reads the regular file name of directory dir as ReadFileIn does and decodes it
// into v with DecodeJSON. A read error is returned as ReadFileIn returns it; a decode error
// is a *JSONError naming name (the caller names dir).
func ReadJSONIn(dir, name string, limit int64, v any) error {
	data, err := ReadFileIn(dir, name, limit)
	if err != nil {
		return err
	}
	if err := DecodeJSON(data, v); err != nil {
		return &JSONError{Name: name, Err: err}
	}
	return nil
}

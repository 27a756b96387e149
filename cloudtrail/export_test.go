package cloudtrail

import "errors"

// ParseRecord parses one whole record, for the package's external tests.
func ParseRecord(raw []byte, r *Record) error {
	_, err := parseRecord(raw, r, false)
	if errors.Is(err, errShort) {
		return errors.New("not valid JSON: the record ends inside a value")
	}
	return err
}

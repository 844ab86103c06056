package bulk

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLineBytes bounds one JSON Lines line (and one CSV record).
const MaxLineBytes = 1 << 20

// Reader reads Records from JSON Lines or CSV in one Mapping, validating
// each (see Record.Validate). It is not safe for concurrent use.
type Reader struct {
	// Now is the time rows are checked against (a created_at after it is
	// refused); zero skips that check. clientele.Bulk.Import sets it to
	// the service's clock.
	Now time.Time

	format Format
	codec  codec
	line   int

	br *bufio.Reader

	cr     *csv.Reader
	header []string
}

// NewReader returns a Reader of r in format f and mapping m. A CSV file's
// header is read now: an empty file, or (for Native) an unknown or repeated
// column, is an error wrapping ErrInvalid.
func NewReader(r io.Reader, f Format, m Mapping) (*Reader, error) {
	c, err := codecFor(m)
	if err != nil {
		return nil, err
	}
	rd := &Reader{format: f, codec: c}
	switch f {
	case JSONL:
		rd.br = bufio.NewReaderSize(r, 64<<10)
	case CSV:
		rd.cr = csv.NewReader(&limitedLines{r: bufio.NewReaderSize(r, 64<<10)})
		rd.cr.FieldsPerRecord = -1
		rd.cr.ReuseRecord = true
		if err := rd.readHeader(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: format %q", ErrInvalid, string(f))
	}
	return rd, nil
}

func (rd *Reader) readHeader() error {
	head, err := rd.cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: CSV file without a header row", ErrInvalid)
	}
	if err != nil {
		return fmt.Errorf("%w: CSV header: %w", ErrInvalid, err)
	}
	rd.line = 1
	own := make(map[string]bool)
	for _, c := range rd.codec.columns() {
		own[c] = true
	}
	seen := make(map[string]bool, len(head))
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if i == 0 {
			head[0] = h
		}
		if !own[h] && !rd.codec.known(h) {
			return fmt.Errorf("%w: CSV header: unknown column %q", ErrInvalid, truncate(h))
		}
		if seen[h] {
			return fmt.Errorf("%w: CSV header: column %q twice", ErrInvalid, truncate(h))
		}
		seen[h] = true
		head[i] = h
	}
	rd.header = append([]string(nil), head...)
	return nil
}

// Line returns the line of the row Next returned last (a CSV record that
// spans lines: its first line).
func (rd *Reader) Line() int { return rd.line }

// Next returns the next Record. It returns io.EOF at the end, a *RowError
// for a bad row (and the next call goes on with the next row), and any
// other error (the underlying reader's) as is.
func (rd *Reader) Next() (Record, error) {
	var (
		r   Record
		err error
	)
	if rd.format == JSONL {
		r, err = rd.nextJSON()
	} else {
		r, err = rd.nextCSV()
	}
	if err != nil {
		return Record{}, err
	}
	now := rd.Now
	if now.IsZero() {
		now = farFuture
	}
	if err := r.Validate(now); err != nil {
		return Record{}, rd.rowError(err)
	}
	return r, nil
}

// farFuture stands for "now" when a Reader has no Now.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (rd *Reader) rowError(err error) error {
	var re *RowError
	if !errors.As(err, &re) {
		re = &RowError{Err: err}
	}
	out := &RowError{Line: rd.line, Field: re.Field, Err: re.Err}
	if out.Field != "" {
		out.Field = rd.codec.field(out.Field, rd.format)
	}
	if !errors.Is(out.Err, ErrInvalid) {
		out.Err = fmt.Errorf("%w: %w", ErrInvalid, out.Err)
	}
	return out
}

func (rd *Reader) nextJSON() (Record, error) {
	for {
		line, err := rd.readLine()
		if err != nil {
			return Record{}, err
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		r, err := rd.codec.decodeJSON(line)
		if err != nil {
			return Record{}, rd.rowError(err)
		}
		return r, nil
	}
}

// errLongLine marks a line longer than MaxLineBytes.
var errLongLine = fmt.Errorf("%w: line longer than %d bytes", ErrInvalid, MaxLineBytes)

// readLine returns the next line without its end; a line too long is a
// *RowError (the rest of it is skipped).
func (rd *Reader) readLine() ([]byte, error) {
	var buf []byte
	long := false
	for {
		chunk, err := rd.br.ReadSlice('\n')
		if !long {
			if len(buf)+len(chunk) > MaxLineBytes+2 {
				long, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(chunk) == 0 && len(buf) == 0 && !long {
				return nil, io.EOF
			}
		case err != nil:
			return nil, err
		}
		rd.line++
		if long {
			return nil, &RowError{Line: rd.line, Err: errLongLine}
		}
		buf = []byte(strings.TrimRight(string(buf), "\r\n"))
		if !utf8.Valid(buf) {
			return nil, &RowError{Line: rd.line, Err: fmt.Errorf("%w: not valid UTF-8", ErrInvalid)}
		}
		return buf, nil
	}
}

func (rd *Reader) nextCSV() (Record, error) {
	for {
		rec, err := rd.cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return Record{}, io.EOF
		case errors.As(err, &pe):
			rd.line = pe.StartLine
			return Record{}, &RowError{Line: pe.StartLine, Err: fmt.Errorf("%w: %w", ErrInvalid, pe.Err)}
		case errors.Is(err, errLongLine):
			// The CSV reader cannot resynchronize: the file ends here.
			return Record{}, fmt.Errorf("after line %d: %w", rd.line, errLongLine)
		case err != nil:
			return Record{}, err
		}
		rd.line, _ = rd.cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(rd.header) {
			return Record{}, &RowError{Line: rd.line, Err: fmt.Errorf("%w: %d fields, the header has %d",
				ErrInvalid, len(rec), len(rd.header))}
		}
		row := make(map[string]string, len(rec))
		for i, v := range rec {
			if !utf8.ValidString(v) {
				return Record{}, rd.rowError(&RowError{Field: rd.header[i], Err: fmt.Errorf("%w: not valid UTF-8", ErrInvalid)})
			}
			row[rd.header[i]] = v
		}
		r, err := rd.codec.decodeCSV(row)
		if err != nil {
			return Record{}, rd.rowError(err)
		}
		return r, nil
	}
}

// limitedLines fails a read that would give a CSV record longer than
// MaxLineBytes without a line end.
type limitedLines struct {
	r   *bufio.Reader
	run int
}

func (l *limitedLines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.run = 0
		} else {
			l.run++
		}
	}
	if l.run > MaxLineBytes {
		return 0, errLongLine
	}
	return n, err
}

// truncate bounds a value echoed in an error.
func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	return strings.ToValidUTF8(s[:64], "") + "..."
}

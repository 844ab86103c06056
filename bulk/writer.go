package bulk

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// Writer writes Records as JSON Lines or CSV in one Mapping. Call Flush at
// the end. It is not safe for concurrent use.
type Writer struct {
	format Format
	codec  codec
	bw     *bufio.Writer
	enc    *json.Encoder
	cw     *csv.Writer
	header bool
}

// NewWriter returns a Writer to w in format f and mapping m. A CSV file's
// header is written with the first record, or by Flush for an empty file.
func NewWriter(w io.Writer, f Format, m Mapping) (*Writer, error) {
	c, err := codecFor(m)
	if err != nil {
		return nil, err
	}
	wr := &Writer{format: f, codec: c, bw: bufio.NewWriterSize(w, 64<<10)}
	switch f {
	case JSONL:
		wr.enc = json.NewEncoder(wr.bw)
		wr.enc.SetEscapeHTML(false)
	case CSV:
		wr.cw = csv.NewWriter(wr.bw)
	default:
		return nil, fmt.Errorf("%w: format %q", ErrInvalid, string(f))
	}
	return wr, nil
}

// Write writes r as one row. It does not validate r.
func (wr *Writer) Write(r Record) error {
	if wr.format == JSONL {
		return wr.enc.Encode(wr.codec.encodeJSON(r))
	}
	if err := wr.writeHeader(); err != nil {
		return err
	}
	cells, err := wr.codec.encodeCSV(r)
	if err != nil {
		return err
	}
	return wr.cw.Write(cells)
}

func (wr *Writer) writeHeader() error {
	if wr.header {
		return nil
	}
	wr.header = true
	return wr.cw.Write(wr.codec.columns())
}

// Flush writes what is buffered to the underlying writer.
func (wr *Writer) Flush() error {
	if wr.cw != nil {
		if err := wr.writeHeader(); err != nil {
			return err
		}
		wr.cw.Flush()
		if err := wr.cw.Error(); err != nil {
			return err
		}
	}
	return wr.bw.Flush()
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The output formats of vfx metrics, written from one column list per
// record kind (metricscolumns.go): an aligned table, CSV with a header row,
// or JSON lines with snake_case keys.

// mtColumn is one column of a record kind: its CSV header and JSON key,
// its table header, and how each format shows the record's value.
type mtColumn[T any] struct {
	key       string          // CSV header and JSON key; "" = a table column only
	head      string          // table header; "" = not in the table
	omitEmpty bool            // JSON: the key is left out when the value is zero
	value     func(*T) any    // the JSON value: a string, bool, int, int64, uint64 or float64
	text      func(*T) string // the CSV text; nil = the value's
	cell      func(*T) string // the table cell; nil = the CSV text
}

// mtCol is the column key (table header head, "" for none) of value.
func mtCol[T any](key, head string, value func(*T) any) mtColumn[T] {
	return mtColumn[T]{key: key, head: head, value: value}
}

// omit leaves the JSON key out when the value is zero.
func (c mtColumn[T]) omit() mtColumn[T] { c.omitEmpty = true; return c }

// csv writes the CSV text with f.
func (c mtColumn[T]) csv(f func(*T) string) mtColumn[T] { c.text = f; return c }

// table shows the table cell with f.
func (c mtColumn[T]) table(f func(*T) string) mtColumn[T] { c.cell = f; return c }

// mtTableOnly is a table column that CSV and JSON leave out.
func mtTableOnly[T any](head string, cell func(*T) string) mtColumn[T] {
	return mtColumn[T]{head: head, cell: cell}
}

// mtTimeCol is a record's time: RFC 3339 to the nanosecond in CSV and JSON,
// to the millisecond in the table, UTC.
func mtTimeCol[T any](at func(*T) time.Time) mtColumn[T] {
	return mtCol("time", "TIME", func(r *T) any { return at(r).UTC().Format(time.RFC3339Nano) }).
		table(func(r *T) string { return at(r).UTC().Format(mtTableTime) })
}

func (c *mtColumn[T]) csvText(r *T) string {
	if c.text != nil {
		return c.text(r)
	}
	return mtText(c.value(r))
}

func (c *mtColumn[T]) tableCell(r *T) string {
	if c.cell != nil {
		return c.cell(r)
	}
	return c.csvText(r)
}

// mtText is the CSV text of a column value.
func mtText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// mtWrite writes recs in format ("table", "csv" or "json") with cols.
func mtWrite[T any](w io.Writer, format string, cols []mtColumn[T], recs []T) error {
	switch format {
	case "json":
		return mtWriteJSONLines(w, cols, recs)
	case "csv":
		return mtWriteCSV(w, cols, recs)
	}
	return mtWriteTable(w, cols, recs)
}

// mtWriteTable writes aligned columns under a header.
func mtWriteTable[T any](w io.Writer, cols []mtColumn[T], recs []T) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := make([]string, 0, len(cols))
	for _, c := range cols {
		if c.head != "" {
			row = append(row, c.head)
		}
	}
	fmt.Fprintln(tw, strings.Join(row, "\t"))
	for i := range recs {
		row = row[:0]
		for _, c := range cols {
			if c.head != "" {
				row = append(row, c.tableCell(&recs[i]))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// mtWriteCSV writes a header row of the keys, then a row per record.
func mtWriteCSV[T any](w io.Writer, cols []mtColumn[T], recs []T) error {
	cw := csv.NewWriter(w)
	row := make([]string, 0, len(cols))
	for _, c := range cols {
		if c.key != "" {
			row = append(row, c.key)
		}
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range recs {
		row = row[:0]
		for _, c := range cols {
			if c.key != "" {
				row = append(row, c.csvText(&recs[i]))
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// mtWriteJSONLines writes one JSON object per record and line, its keys in
// column order.
func mtWriteJSONLines[T any](w io.Writer, cols []mtColumn[T], recs []T) error {
	var line []byte
	for i := range recs {
		line = append(line[:0], '{')
		for _, c := range cols {
			if c.key == "" {
				continue
			}
			v := c.value(&recs[i])
			if c.omitEmpty && reflect.ValueOf(v).IsZero() {
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("%s: %w", c.key, err)
			}
			if len(line) > 1 {
				line = append(line, ',')
			}
			line = strconv.AppendQuote(line, c.key)
			line = append(line, ':')
			line = append(line, b...)
		}
		line = append(line, '}', '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

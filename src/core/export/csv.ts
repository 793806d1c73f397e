/**
 * CSV as RFC 4180 says: CRLF line ends, a header row, fields holding a comma, a double quote,
 * CR or LF enclosed in double quotes, and a double quote inside doubled.
 *
 * Spreadsheets run a cell that starts with "=", "+", "-", "@", a tab or a CR as a formula
 * (CSV injection, OWASP): a file name like `=HYPERLINK(…)` must stay a name. Such a text cell
 * gets a leading apostrophe, which Excel, LibreOffice and Google Sheets show as text and hide.
 * Numbers we write ourselves are never touched.
 */

export type CsvValue = string | number | boolean | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: neutralised when it would start a formula, quoted when it must be. */
export function csvCell(value: CsvValue): string {
  if (value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * Parses CSV written by {@link csvRow} (RFC 4180: quoted fields, doubled quotes, CRLF). For
 * tests and for checking a download; the apostrophe is not removed.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * One declaration per resource drives all four output formats, so commands
 * never branch on the format (design/style.md).
 */
export const OUTPUT_FORMATS = ['table', 'json', 'simple', 'detailed'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** A labelled value of a resource. */
export interface Field<T> {
  /** Column header in tables (e.g. `LAST USED`). */
  header: string
  /** Label in `Key: value` lines (simple records, detailed blocks, table records), e.g. `Last used`. */
  label: string
  /** The value for people: already formatted (dates in local time, `-`, `Never`, relative times). */
  value: (row: T) => string
  /**
   * Where the field shows. Default: everywhere. `detailed` = only in the detailed format
   * (e.g. created time, last-used IP); `when-set` = omitted in table/simple records when value() is empty.
   */
  show?: 'always' | 'detailed' | 'when-set'
  /** Colour applied in table format on a TTY (never with NO_COLOR or other formats). */
  color?: (row: T) => 'green' | 'yellow' | 'red' | 'dim' | undefined
  /** The least width of its table column, e.g. that of its longest possible value, so the table keeps its shape as values change. */
  minWidth?: number
}

/** How a list of resources renders. */
export interface ListView<T> {
  kind: 'list'
  fields: Field<T>[]
  /** Said on stderr in table/simple/detailed when there are no rows (stdout stays empty), e.g. `No personal access tokens found`. */
  empty: string
  /** Line after the table, e.g. `(rows) => \`Total: ${rows.length} token(s)\`` (table and detailed only). */
  footer?: (rows: T[]) => string
  /** The JSON document; default: the rows as given (the API's snake_case objects). */
  json?: (rows: T[]) => unknown
}

/** How a single resource renders. */
export interface RecordView<T> {
  kind: 'record'
  fields: Field<T>[]
  /** Status lines before the fields in table and detailed formats (e.g. `✓ Personal access token created`), on stderr. */
  heading?: (row: T) => string[]
  /** Status lines after the fields in table and detailed formats (e.g. the NDCLI_TOKEN hint), on stderr. */
  footer?: (row: T) => string[]
  /** The JSON document; default: the record as given. */
  json?: (row: T) => unknown
}

/**
 * Exactly this text on stdout, whatever the format: for output a pipe consumes whole, e.g.
 * `auth token create --quiet`, which prints only the secret. A command offering it makes
 * the flag that selects it exclusive with -f/--json.
 */
export interface RawView<T> {
  kind: 'raw'
  text: (row: T) => string
}

export type View<T> = ListView<T> | RecordView<T> | RawView<T>

/**
 * What `NdCommand.run()` may return to have the base class render it. `exitCode`: exit with
 * this status after the data is printed (e.g. `auth token list --fail-if-any`, 8) — for a
 * result that is data and a signal at once, not for errors, which are thrown.
 */
export type Rendered<T> = ({view: ListView<T>; data: T[]} | {view: RecordView<T> | RawView<T>; data: T}) & {exitCode?: number}

export interface RenderOptions {
  /** Colour allowed: stdout is a TTY, NO_COLOR unset, format is table or detailed. */
  color: boolean
  /** The terminal's width in columns, which tables are fitted to; undefined = no fitting (off a terminal). */
  width?: number
}

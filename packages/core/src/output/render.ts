/**
 * Turns a resource view and its data into the text for stdout, in any of the
 * four formats. Commands declare a view once (types.ts) and never branch on
 * the format.
 */
import Table from 'cli-table3'

import {paint} from './ansi.js'
import {printable} from './printable.js'
import type {Field, ListView, OutputFormat, RawView, RecordView, RenderOptions, View} from './types.js'

type TextFormat = Exclude<OutputFormat, 'json'>

/** Rounded box drawing, as in the reference (`╭──┬──╮`). */
const ROUNDED_BORDERS = {
  top: '─',
  'top-mid': '┬',
  'top-left': '╭',
  'top-right': '╮',
  bottom: '─',
  'bottom-mid': '┴',
  'bottom-left': '╰',
  'bottom-right': '╯',
  left: '│',
  'left-mid': '├',
  mid: '─',
  'mid-mid': '┼',
  right: '│',
  'right-mid': '┤',
  middle: '│',
} as const

/** Shown in `Label: value` lines for an empty value, so no line ends in a dangling colon. */
const EMPTY_VALUE = '-'

export function render<T>(format: OutputFormat, view: ListView<T>, data: T[], options: RenderOptions): string
export function render<T>(format: OutputFormat, view: RecordView<T> | RawView<T>, data: T, options: RenderOptions): string
export function render<T>(format: OutputFormat, view: View<T>, data: T | T[], options: RenderOptions): string
export function render<T>(format: OutputFormat, view: View<T>, data: T | T[], options: RenderOptions): string {
  if (view.kind === 'raw') return view.text(data as T)
  if (format === 'json') return renderJson(view, data)
  // Simple output is for pipes and scripts: never coloured, whatever the caller allows (cli.md).
  const color = options.color && format !== 'simple'
  if (view.kind === 'list') return renderList(format, view, rowsOf(data), color)
  // A record's data is a single T — which may itself be an array type, so no runtime check is possible.
  return renderRecord(format, view, data as T, color)
}

function renderJson<T>(view: ListView<T> | RecordView<T>, data: T | T[]): string {
  const text = JSON.stringify(jsonDocument(view, data), null, 2)
  // JSON.stringify returns undefined for `undefined` and functions: nothing to print.
  return text === undefined ? '' : `${text}\n`
}

/** The view's own JSON document, else the data as the API returned it. */
function jsonDocument<T>(view: ListView<T> | RecordView<T>, data: T | T[]): unknown {
  if (view.kind === 'list') return view.json ? view.json(rowsOf(data)) : data
  return view.json ? view.json(data as T) : data
}

function rowsOf<T>(data: T | T[]): T[] {
  if (!Array.isArray(data)) throw new TypeError('render: a list view needs an array of rows')
  return data as T[]
}

function renderList<T>(format: TextFormat, view: ListView<T>, rows: T[], color: boolean): string {
  if (rows.length === 0) return toText([view.empty])
  const footer = view.footer ? [view.footer(rows)] : []
  switch (format) {
    case 'table':
      return toText([...tableLines(fieldsFor(view.fields, format), rows, color), ...footer])
    case 'simple':
      return toText(rows.map((row) => simpleLine(fieldsFor(view.fields, format), row)))
    case 'detailed':
      return toText([...detailedBlocks(view.fields, rows, color), ...(footer.length > 0 ? ['', ...footer] : [])])
  }
}

function renderRecord<T>(format: TextFormat, view: RecordView<T>, row: T, color: boolean): string {
  const heading = view.heading?.(row) ?? []
  const footer = view.footer?.(row) ?? []
  switch (format) {
    case 'table':
      return toText([...heading, ...labelledLines(recordFields(view.fields, format, row), row, color), ...footer])
    case 'simple':
      // Heading and footer are prose for people; simple output keeps only the data.
      return toText(labelledLines(recordFields(view.fields, format, row), row, false))
    case 'detailed':
      return toText([...heading, ...alignedLines(view.fields, row, color), ...footer])
  }
}

/** Detailed-only fields appear in the detailed format alone. */
function fieldsFor<T>(fields: Field<T>[], format: TextFormat): Field<T>[] {
  return format === 'detailed' ? fields : fields.filter((field) => field.show !== 'detailed')
}

/** A record in table/simple also drops `when-set` fields that are empty for this row (e.g. `Org:`). */
function recordFields<T>(fields: Field<T>[], format: TextFormat, row: T): Field<T>[] {
  return fieldsFor(fields, format).filter((field) => field.show !== 'when-set' || field.value(row) !== '')
}

function tableLines<T>(fields: Field<T>[], rows: T[], color: boolean): string[] {
  const table = new Table({
    head: fields.map((field) => (color ? paint(field.header, 'bold') : field.header)),
    chars: ROUNDED_BORDERS,
    // No cli-table3 colours (it would paint heads red by default); compact = a rule under the header only.
    style: {head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1},
  })
  for (const row of rows) table.push(fields.map((field) => cellText(field, row, color)))
  return table.toString().split('\n')
}

/** One line per row, tab-separated; tabs and newlines inside values would split fields, so they become spaces. */
function simpleLine<T>(fields: Field<T>[], row: T): string {
  return fields.map((field) => printable(field.value(row).replace(/[\t\r\n]+/g, ' '))).join('\t')
}

/** One block per row, every field labelled, a blank line between blocks. */
function detailedBlocks<T>(fields: Field<T>[], rows: T[], color: boolean): string[] {
  return rows.flatMap((row, index) => [...(index > 0 ? [''] : []), ...alignedLines(fields, row, color)])
}

/** `Label: value`, as the reference prints a created token. */
function labelledLines<T>(fields: Field<T>[], row: T, color: boolean): string[] {
  return fields.map((field) => `${field.label}: ${cellText(field, row, color) || EMPTY_VALUE}`)
}

/** `Label:   value` with the values in one column, for the detailed format. */
function alignedLines<T>(fields: Field<T>[], row: T, color: boolean): string[] {
  const labelWidth = Math.max(...fields.map((field) => field.label.length)) + 1
  return fields.map((field) => `${`${field.label}:`.padEnd(labelWidth)} ${cellText(field, row, color) || EMPTY_VALUE}`)
}

/** The field's value, control characters escaped (printable.ts), painted with its colour when colour is on. */
function cellText<T>(field: Field<T>, row: T, color: boolean): string {
  const text = printable(field.value(row))
  const colour = color && text !== '' ? field.color?.(row) : undefined
  return colour ? paint(text, colour) : text
}

function toText(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

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

/**
 * What a command prints, by stream (the rule in the README): `data` is for stdout, what was asked for
 * (records, tables, the one-time secret, JSON); `before` and `after` are status lines for stderr — a
 * record's heading (`✓ … created`) and footer (a hint), or what an empty list says — so that a pipe
 * gets only data and a person sees everything in order.
 */
export interface RenderedText {
  before: string
  data: string
  after: string
}

/** All three parts as one text, as a terminal shows them. */
export function render<T>(format: OutputFormat, view: ListView<T>, data: T[], options: RenderOptions): string
export function render<T>(format: OutputFormat, view: RecordView<T> | RawView<T>, data: T, options: RenderOptions): string
export function render<T>(format: OutputFormat, view: View<T>, data: T | T[], options: RenderOptions): string
export function render<T>(format: OutputFormat, view: View<T>, data: T | T[], options: RenderOptions): string {
  const {before, data: text, after} = renderByStream(format, view, data, options)
  return before + text + after
}

export function renderByStream<T>(format: OutputFormat, view: View<T>, data: T | T[], options: RenderOptions): RenderedText {
  const only = (text: string): RenderedText => ({before: '', data: text, after: ''})
  if (view.kind === 'raw') return only(view.text(data as T))
  if (format === 'json') return only(renderJson(view, data))
  // Simple output is for pipes and scripts: never coloured, whatever the caller allows (cli.md).
  const color = options.color && format !== 'simple'
  if (view.kind === 'list') {
    const rows = rowsOf(data)
    // Nothing to list is news for a person, not data: stdout stays empty (a pipe sees no rows).
    if (rows.length === 0) return {before: '', data: '', after: toText([view.empty])}
    return only(renderList(format, view, rows, color, options.width))
  }
  // A record's data is a single T — which may itself be an array type, so no runtime check is possible.
  const row = data as T
  const prose = format !== 'simple'
  return {before: prose ? toText(view.heading?.(row) ?? []) : '', data: renderRecord(format, view, row, color), after: prose ? toText(view.footer?.(row) ?? []) : ''}
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

function renderList<T>(format: TextFormat, view: ListView<T>, rows: T[], color: boolean, width: number | undefined): string {
  const footer = view.footer ? [view.footer(rows)] : []
  switch (format) {
    case 'table':
      return toText([...tableLines(fieldsFor(view.fields, format), rows, color, width), ...footer])
    case 'simple':
      return toText(rows.map((row) => simpleLine(fieldsFor(view.fields, format), row)))
    case 'detailed':
      return toText([...detailedBlocks(view.fields, rows, color), ...(footer.length > 0 ? ['', ...footer] : [])])
  }
}

/** The fields of a record; heading and footer are status lines, rendered apart (renderByStream). */
function renderRecord<T>(format: TextFormat, view: RecordView<T>, row: T, color: boolean): string {
  switch (format) {
    case 'table':
      return toText(labelledLines(recordFields(view.fields, format, row), row, color))
    case 'simple':
      return toText(labelledLines(recordFields(view.fields, format, row), row, false))
    case 'detailed':
      return toText(alignedLines(view.fields, row, color))
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

/** Cell padding on each side, and the border characters of a row of n columns: n + 1. */
const PADDING = 1
/** A column is never squeezed below this (content) width to fit the terminal: `…` plus a few characters. */
const MIN_FITTED_WIDTH = 8

function tableLines<T>(fields: Field<T>[], rows: T[], color: boolean, width: number | undefined): string[] {
  const build = (colWidths?: number[]) => {
    const table = new Table({
      head: fields.map((field) => (color ? paint(field.header, 'bold') : field.header)),
      chars: ROUNDED_BORDERS,
      // No cli-table3 colours (it would paint heads red by default); compact = a rule under the header only.
      style: {head: [], border: [], compact: true, 'padding-left': PADDING, 'padding-right': PADDING},
      ...(colWidths ? {colWidths} : {}),
    })
    for (const row of rows) table.push(fields.map((field) => cellText(field, row, color)))
    return table.toString().split('\n')
  }
  const natural = build()
  // The top border is box-drawing characters only, one column each: its segments are the columns' widths (padding included).
  const widths = natural[0]!.slice(1, -1).split(ROUNDED_BORDERS['top-mid']).map((segment) => segment.length)
  const sized = widths.map((w, i) => Math.max(w, (fields[i]!.minWidth ?? 0) + 2 * PADDING))
  const fitted = width === undefined ? sized : fitToWidth(sized, width)
  return fitted.every((w, i) => w === widths[i]) ? natural : build(fitted)
}

/**
 * Column widths that fit `width` terminal columns, as gh does: the widest column gives way first
 * (cli-table3 then cuts its cells with `…`), never below MIN_FITTED_WIDTH; a table that cannot fit stays wider.
 */
function fitToWidth(widths: number[], width: number): number[] {
  const fitted = [...widths]
  const total = () => fitted.reduce((sum, w) => sum + w, 0) + fitted.length + 1
  const floor = MIN_FITTED_WIDTH + 2 * PADDING
  while (total() > width) {
    const widest = fitted.indexOf(Math.max(...fitted))
    if (fitted[widest]! <= floor) break
    fitted[widest]!--
  }
  return fitted
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

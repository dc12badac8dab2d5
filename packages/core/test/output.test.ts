import {expect} from 'chai'

import {daysUntil, formatDate, formatDateTime, formatRelative, render} from '../src/output/index.js'
import type {Field, ListView} from '../src/output/index.js'
import {inTimeZone} from '../src/testing/time-zone.js'

const PLAIN = {color: false}
const COLOR = {color: true}
/** The clock of the time tests. */
const NOW = new Date('2026-05-26T12:00:00Z')

describe('output', () => {
  inTimeZone('UTC')

  describe('render: any view', () => {
    interface Row {
      name: string
    }
    const view: ListView<Row> = {kind: 'list', fields: [{header: 'NAME', label: 'Name', value: (row) => row.name}], empty: 'none'}

    it('refuses a single record given to a list view', () => {
      expect(() => render<Row>('table', view, {name: 'one'}, PLAIN)).to.throw(TypeError, /array of rows/)
    })

    it('never paints an empty value', () => {
      const field: Field<Row> = {header: 'NOTE', label: 'Note', value: () => '', color: () => 'red'}
      expect(render('table', {...view, fields: [field]}, [{name: 'one'}], COLOR)).not.to.include('\u001B[31m')
    })
  })

  describe('time: formatDate / formatDateTime', () => {
    const cases: Array<[string, () => string, string]> = [
      ['a UTC date', () => formatDate('2026-08-24T11:00:00Z'), '2026-08-24'],
      ['null is Never', () => formatDate(null), 'Never'],
      ['empty is Never', () => formatDate(''), 'Never'],
      ['a custom word for null', () => formatDate(null, 'never'), 'never'],
      ['an unparseable value as received', () => formatDate('soon'), 'soon'],
      ['a full timestamp with offset', () => formatDateTime('2026-05-26T14:03:07Z'), '2026-05-26 14:03:07 +00:00'],
      ['a full timestamp: null', () => formatDateTime(null, '-'), '-'],
    ]
    for (const [name, actual, expected] of cases) {
      it(`${name} → ${expected}`, () => expect(actual()).to.equal(expected))
    }

    describe('in another time zone (TZ=America/New_York)', () => {
      inTimeZone('America/New_York')

      it('dates are local: 02:00 UTC is the previous evening', () => {
        expect(formatDate('2026-08-24T02:00:00Z')).to.equal('2026-08-23')
      })

      it('timestamps carry the local offset (EDT in summer, EST in winter)', () => {
        expect(formatDateTime('2026-08-24T02:00:00Z')).to.equal('2026-08-23 22:00:00 -04:00')
        expect(formatDateTime('2026-01-15T12:30:45Z')).to.equal('2026-01-15 07:30:45 -05:00')
      })
    })

    describe('in a half-hour zone (TZ=Asia/Kolkata)', () => {
      inTimeZone('Asia/Kolkata')

      it('prints minutes in the offset', () => {
        expect(formatDateTime('2026-05-26T12:00:00Z')).to.equal('2026-05-26 17:30:00 +05:30')
      })
    })
  })

  describe('time: formatRelative (Go reference thresholds)', () => {
    const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString()
    const SECOND = 1000
    const MINUTE = 60 * SECOND
    const HOUR = 60 * MINUTE
    const DAY = 24 * HOUR
    const cases: Array<[string, string | null, string]> = [
      ['never used', null, 'Never'],
      ['just now', ago(0), 'now'],
      ['59 seconds ago', ago(59 * SECOND), 'now'],
      ['30 seconds in the future (clock skew)', ago(-30 * SECOND), 'now'],
      ['1 minute ago', ago(MINUTE), '1m'],
      ['2 minutes ago', ago(2 * MINUTE + 30 * SECOND), '2m'],
      ['59 minutes ago', ago(59 * MINUTE), '59m'],
      ['1 hour ago', ago(HOUR), '1h'],
      ['5 hours ago', ago(5 * HOUR + 59 * MINUTE), '5h'],
      ['23 hours ago', ago(23 * HOUR + 59 * MINUTE), '23h'],
      ['1 day ago', ago(DAY), '1d'],
      ['3 days ago', ago(3 * DAY + 2 * HOUR), '3d'],
      ['6 days 23 hours ago', ago(7 * DAY - HOUR), '6d'],
      ['7 days ago: a date', ago(7 * DAY), '2026-05-19'],
      ['far past: a date', '2025-12-31T23:00:00Z', '2025-12-31'],
      ['days in the future: a date', ago(-2 * DAY), '2026-05-28'],
      ['unparseable: as received', 'yesterday-ish', 'yesterday-ish'],
    ]
    for (const [name, iso, expected] of cases) {
      it(`${name} → ${expected}`, () => expect(formatRelative(iso, NOW)).to.equal(expected))
    }

    it('a custom word for never used', () => {
      expect(formatRelative(null, NOW, '-')).to.equal('-')
    })
  })

  describe('time: daysUntil (local calendar days)', () => {
    const cases: Array<[string, string | null, number | null]> = [
      ['later today', '2026-05-26T23:59:59Z', 0],
      ['tomorrow, even if under 24 hours away', '2026-05-27T00:30:00Z', 1],
      ['in 7 days', '2026-06-02T12:00:00Z', 7],
      ['the reference expiry', '2026-08-24T11:00:00Z', 90],
      ['yesterday', '2026-05-25T12:00:00Z', -1],
      ['never expires', null, null],
      ['unparseable', 'later', null],
    ]
    for (const [name, iso, expected] of cases) {
      it(`${name} → ${String(expected)}`, () => expect(daysUntil(iso, NOW)).to.equal(expected))
    }

    describe('across a DST change (TZ=Europe/Berlin)', () => {
      inTimeZone('Europe/Berlin')

      it('counts calendar days, not 24-hour periods', () => {
        // 29 March 2026 has 23 hours in Berlin.
        expect(daysUntil('2026-03-30T10:00:00+02:00', new Date('2026-03-28T10:00:00+01:00'))).to.equal(2)
      })
    })
  })
})

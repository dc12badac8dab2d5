import {expect} from 'chai'
import {stripVTControlCharacters} from 'node:util'

import {daysUntil, formatDate, formatDateTime, formatRelative, render} from '../src/output/index.js'
import type {Field, ListView, OutputFormat, RecordView} from '../src/output/index.js'
import {CREATED, GITHUB_CI, NOW, READONLY_MONITOR, createdTokenView, tokenListView} from './fixtures/token-views.js'
import type {TokenRow} from './fixtures/token-views.js'

/** Start of every SGR sequence. */
const ANSI = '\u001B['
const PLAIN = {color: false}
const COLOR = {color: true}
const TOKENS = [GITHUB_CI, READONLY_MONITOR]

/** Runs a suite with TZ fixed, restoring the caller's zone afterwards (Node re-reads TZ on assignment). */
function inTimeZone(zone: string): void {
  let saved: string | undefined
  before(() => {
    saved = process.env.TZ
    process.env.TZ = zone
  })
  after(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
}

const lines = (...text: string[]): string => `${text.join('\n')}\n`

describe('output', () => {
  inTimeZone('UTC')

  describe('render: token list', () => {
    // Verbatim from auth-token-reference.txt (borders only: the page collapsed cell padding).
    const REFERENCE_TOP = '╭──────────────────┬──────────────┬───────┬─────┬────────────┬───────────┬─────────╮'
    const REFERENCE_RULE = '├──────────────────┼──────────────┼───────┼─────┼────────────┼───────────┼─────────┤'
    const REFERENCE_BOTTOM = '╰──────────────────┴──────────────┴───────┴─────┴────────────┴───────────┴─────────╯'
    /**
     * The reference's STATUS column is 7 wide although its widest text is 6
     * (`STATUS`, `active`): it cannot come from these rows. Ours is sized by
     * content like every other column, one `─` narrower there and nowhere else.
     */
    const contentSized = (reference: string): string => reference.replace(/─{9}(.)$/, '─'.repeat(8) + '$1')

    const TABLE = lines(
      contentSized(REFERENCE_TOP),
      '│ NAME             │ PREFIX       │ SCOPE │ ORG │ EXPIRES    │ LAST USED │ STATUS │',
      contentSized(REFERENCE_RULE),
      '│ github-ci        │ ndpat_Jj8IYR │ RW    │ -   │ 2026-08-24 │ 2m        │ active │',
      '│ readonly-monitor │ ndpat_aB3xYz │ RO    │ ops │ Never      │ Never     │ active │',
      contentSized(REFERENCE_BOTTOM),
      'Total: 2 token(s)',
    )

    it('table: the reference layout, padded to column width, then the footer', () => {
      expect(render('table', tokenListView, TOKENS, PLAIN)).to.equal(TABLE)
    })

    it('table: borders match the reference character for character in all but the STATUS width', () => {
      const [top, , rule, , , bottom] = render('table', tokenListView, TOKENS, PLAIN).split('\n')
      expect([top, rule, bottom]).to.deep.equal([REFERENCE_TOP, REFERENCE_RULE, REFERENCE_BOTTOM].map(contentSized))
      expect(top!.slice(0, -9)).to.equal(REFERENCE_TOP.slice(0, -10))
    })

    it('simple: one tab-separated line per row, no header, no box drawing', () => {
      expect(render('simple', tokenListView, TOKENS, PLAIN)).to.equal(
        lines(
          'github-ci\tndpat_Jj8IYR\tRW\t-\t2026-08-24\t2m\tactive',
          'readonly-monitor\tndpat_aB3xYz\tRO\tops\tNever\tNever\tactive',
        ),
      )
    })

    it('detailed: one aligned block per token with the detailed-only fields, then the footer', () => {
      expect(render('detailed', tokenListView, TOKENS, PLAIN)).to.equal(
        lines(
          'Name:         github-ci',
          'Prefix:       ndpat_Jj8IYR',
          'Scope:        RW',
          'Org:          -',
          'Expires:      2026-08-24',
          'Last used:    2m',
          'Status:       active',
          'Created:      2026-05-26 11:00:00 +00:00',
          'Last used IP: 203.0.113.7',
          '',
          'Name:         readonly-monitor',
          'Prefix:       ndpat_aB3xYz',
          'Scope:        RO',
          'Org:          ops',
          'Expires:      Never',
          'Last used:    Never',
          'Status:       active',
          'Created:      2026-05-20 08:30:00 +00:00',
          'Last used IP: -',
          '',
          'Total: 2 token(s)',
        ),
      )
    })

    it('json: the API rows unchanged, indented, one document', () => {
      const output = render('json', tokenListView, TOKENS, COLOR)
      expect(output).to.equal(`${JSON.stringify(TOKENS, null, 2)}\n`)
      expect(JSON.parse(output)).to.deep.equal(TOKENS)
    })

    it('json: the view may shape the document', () => {
      const view: ListView<TokenRow> = {...tokenListView, json: (rows) => ({tokens: rows.map((t) => t.name)})}
      expect(render('json', view, TOKENS, PLAIN)).to.equal('{\n  "tokens": [\n    "github-ci",\n    "readonly-monitor"\n  ]\n}\n')
    })

    it('lists without a footer end with the last row', () => {
      const {footer: _footer, ...withoutFooter} = tokenListView
      expect(render('table', withoutFooter, [GITHUB_CI], PLAIN)).to.match(/╯\n$/)
      expect(render('detailed', withoutFooter, [GITHUB_CI], PLAIN)).to.match(/Last used IP: 203\.0\.113\.7\n$/)
    })

    it('refuses a single record given to a list view', () => {
      const view: ListView<TokenRow> = tokenListView
      expect(() => render<TokenRow>('table', view, GITHUB_CI, PLAIN)).to.throw(TypeError, /array of rows/)
    })
  })

  describe('render: empty list', () => {
    const cases: Array<[OutputFormat, string]> = [
      ['table', 'No personal access tokens found\n'],
      ['simple', 'No personal access tokens found\n'],
      ['detailed', 'No personal access tokens found\n'],
      ['json', '[]\n'],
    ]
    for (const [format, expected] of cases) {
      it(`${format} prints ${JSON.stringify(expected)}`, () => {
        expect(render(format, tokenListView, [], PLAIN)).to.equal(expected)
      })
    }

    it('json uses view.json([]) when the view shapes the document', () => {
      const view: ListView<TokenRow> = {...tokenListView, json: (rows) => ({tokens: rows})}
      expect(render('json', view, [], PLAIN)).to.equal('{\n  "tokens": []\n}\n')
    })
  })

  describe('render: created token record', () => {
    const HEADING = ['✓ Personal access token created', '⚠ Copy your token now — it will NOT be shown again.']
    const HINT = 'Set NDCLI_TOKEN=<token> to use static auth without interactive login.'
    const WITH_ORG = {...CREATED, org: 'ops'}

    const cases: Array<{name: string; format: OutputFormat; data: typeof CREATED; expected: string}> = [
      {
        name: 'table: the reference sample — heading, Label: value lines, hint; Org omitted when unset',
        format: 'table',
        data: CREATED,
        expected: lines(...HEADING, `Token: ${CREATED.token}`, 'Name: github-ci', 'Scope: RW', 'Expires: 2026-08-24', HINT),
      },
      {
        name: 'table: Org shown when set',
        format: 'table',
        data: WITH_ORG,
        expected: lines(...HEADING, `Token: ${CREATED.token}`, 'Name: github-ci', 'Scope: RW', 'Org: ops', 'Expires: 2026-08-24', HINT),
      },
      {
        name: 'simple: only the Label: value lines',
        format: 'simple',
        data: CREATED,
        expected: lines(`Token: ${CREATED.token}`, 'Name: github-ci', 'Scope: RW', 'Expires: 2026-08-24'),
      },
      {
        name: 'simple: Org shown when set',
        format: 'simple',
        data: WITH_ORG,
        expected: lines(`Token: ${CREATED.token}`, 'Name: github-ci', 'Scope: RW', 'Org: ops', 'Expires: 2026-08-24'),
      },
      {
        name: 'detailed: every field, labels aligned, an unset value as -',
        format: 'detailed',
        data: CREATED,
        expected: lines(...HEADING, `Token:   ${CREATED.token}`, 'Name:    github-ci', 'Scope:   RW', 'Org:     -', 'Expires: 2026-08-24', HINT),
      },
      {
        name: 'json: the API create response unchanged',
        format: 'json',
        data: CREATED,
        expected: `${JSON.stringify(CREATED, null, 2)}\n`,
      },
    ]
    for (const {name, format, data, expected} of cases) {
      it(name, () => {
        expect(render(format, createdTokenView, data, PLAIN)).to.equal(expected)
      })
    }

    it('a record without heading or footer prints just its fields', () => {
      const view: RecordView<typeof CREATED> = {kind: 'record', fields: createdTokenView.fields.slice(1, 3)}
      expect(render('table', view, CREATED, PLAIN)).to.equal(lines('Name: github-ci', 'Scope: RW'))
    })
  })

  describe('render: colour', () => {
    const expired: TokenRow = {...GITHUB_CI, status: 'expired'}

    for (const format of ['table', 'simple', 'detailed', 'json'] as const) {
      it(`${format}: no escape codes when colour is off`, () => {
        expect(render(format, tokenListView, [GITHUB_CI, expired], PLAIN)).not.to.include(ANSI)
        expect(render(format, createdTokenView, CREATED, PLAIN)).not.to.include(ANSI)
      })
    }

    it('table: the field colour paints that cell only, headers are bold, widths ignore the codes', () => {
      const output = render('table', tokenListView, [GITHUB_CI, expired], COLOR)
      expect(output).to.include('│ \u001B[32mactive\u001B[39m  │')
      expect(output).to.include('│ \u001B[33mexpired\u001B[39m │')
      expect(output).to.include('│ \u001B[1mNAME\u001B[22m      │')
      expect(output).to.include('│ github-ci │')
      expect(stripVTControlCharacters(output)).to.equal(render('table', tokenListView, [GITHUB_CI, expired], PLAIN))
    })

    it('detailed: the field colour paints the value', () => {
      expect(render('detailed', tokenListView, [GITHUB_CI], COLOR)).to.include('Status:       \u001B[32mactive\u001B[39m\n')
    })

    it('simple and json stay plain even when colour is allowed', () => {
      expect(render('simple', tokenListView, TOKENS, COLOR)).not.to.include(ANSI)
      expect(render('simple', createdTokenView, CREATED, COLOR)).not.to.include(ANSI)
      expect(render('json', tokenListView, TOKENS, COLOR)).not.to.include(ANSI)
    })

    it('an empty value is never painted', () => {
      const field: Field<TokenRow> = {header: 'NOTE', label: 'Note', value: () => '', color: () => 'red'}
      const view: ListView<TokenRow> = {kind: 'list', fields: [field], empty: 'none'}
      expect(render('table', view, [GITHUB_CI], COLOR)).not.to.include('\u001B[31m')
    })
  })

  describe('render: simple keeps one line per row', () => {
    it('turns tabs and newlines inside values into spaces', () => {
      const messy: TokenRow = {...GITHUB_CI, name: 'two\twords\nand lines'}
      expect(render('simple', tokenListView, [messy], PLAIN).split('\n')[0]).to.equal(
        'two words and lines\tndpat_Jj8IYR\tRW\t-\t2026-08-24\t2m\tactive',
      )
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

/**
 * The renderers (@ndcli/core's render) on the token resource: every format of the list and of
 * the created-token record against auth-token-reference.txt, colour, and one line per row.
 * They live here because the views they render are this plugin's (src/views.ts).
 */
import {expect} from 'chai'
import {stripVTControlCharacters} from 'node:util'
import {render, type Field, type ListView, type OutputFormat, type RecordView} from '@ndcli/core'
import {inTimeZone} from '@ndcli/core/testing'

import {createdTokenView, tokenListView, type TokenListItem} from '../src/views.js'
import {CREATED, GITHUB_CI, NOW, READONLY_MONITOR} from './samples.js'

/** Start of every SGR sequence. */
const ANSI = '\u001B['
const PLAIN = {color: false}
const COLOR = {color: true}
const TOKENS = [GITHUB_CI, READONLY_MONITOR]
const LIST_VIEW = tokenListView(NOW)

const lines = (...text: string[]): string => `${text.join('\n')}\n`

describe('rendering the token resource', () => {
  inTimeZone('UTC')

  describe('render: token list', () => {
    // Verbatim from auth-token-reference.txt (borders only: the page collapsed cell padding).
    const REFERENCE_TOP = '╭──────────────────┬──────────────┬───────┬─────┬────────────┬───────────┬─────────╮'
    const REFERENCE_RULE = '├──────────────────┼──────────────┼───────┼─────┼────────────┼───────────┼─────────┤'
    const REFERENCE_BOTTOM = '╰──────────────────┴──────────────┴───────┴─────┴────────────┴───────────┴─────────╯'
    // STATUS is as wide as `expired` (its widest value) even when every token is active, as in the reference.
    const TABLE = lines(
      REFERENCE_TOP,
      '│ NAME             │ PREFIX       │ SCOPE │ ORG │ EXPIRES    │ LAST USED │ STATUS  │',
      REFERENCE_RULE,
      '│ github-ci        │ ndpat_Jj8IYR │ RW    │ -   │ 2026-08-24 │ 2m        │ active  │',
      '│ readonly-monitor │ ndpat_aB3xYz │ RO    │ ops │ Never      │ Never     │ active  │',
      REFERENCE_BOTTOM,
      'Total: 2 token(s)',
    )

    it('table: the reference layout, padded to column width, then the footer', () => {
      expect(render('table', tokenListView(NOW), TOKENS, PLAIN)).to.equal(TABLE)
    })

    it('table: borders match the reference character for character, the STATUS width included', () => {
      const [top, , rule, , , bottom] = render('table', tokenListView(NOW), TOKENS, PLAIN).split('\n')
      expect([top, rule, bottom]).to.deep.equal([REFERENCE_TOP, REFERENCE_RULE, REFERENCE_BOTTOM])
    })

    it('table: fitted to the terminal width by cutting the longest column with …', () => {
      const long = {...GITHUB_CI, name: 'n'.repeat(64)}
      const fitted = render('table', tokenListView(NOW), [long, READONLY_MONITOR], {color: false, width: 80}).split('\n')
      expect(fitted.slice(0, -2).map((line) => line.length)).to.deep.equal(Array.from({length: 6}, () => 80))
      expect(fitted[3]).to.match(/^│ n+… │ ndpat_Jj8IYR │/)
      expect(fitted[4]).to.match(/^│ readonly-mo… +│ ndpat_aB3xYz │/)
      // Without a width (off a terminal), nothing is cut.
      expect(render('table', tokenListView(NOW), [long], PLAIN)).to.include(`│ ${'n'.repeat(64)} │`)
    })

    it('simple: one tab-separated line per row, no header, no box drawing', () => {
      expect(render('simple', tokenListView(NOW), TOKENS, PLAIN)).to.equal(
        lines(
          'github-ci\tndpat_Jj8IYR\tRW\t-\t2026-08-24\t2m\tactive',
          'readonly-monitor\tndpat_aB3xYz\tRO\tops\tNever\tNever\tactive',
        ),
      )
    })

    it('detailed: one aligned block per token with the detailed-only fields, then the footer', () => {
      expect(render('detailed', tokenListView(NOW), TOKENS, PLAIN)).to.equal(
        lines(
          'Name:         github-ci',
          'Prefix:       ndpat_Jj8IYR',
          'Scope:        RW',
          'Org:          -',
          'Expires:      2026-08-24',
          'Last used:    2m',
          'Status:       active',
          'Allowed IPs:  -',
          'Cannot reach: -',
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
          'Allowed IPs:  -',
          'Cannot reach: -',
          'Created:      2026-05-20 12:00:00 +00:00',
          'Last used IP: -',
          '',
          'Total: 2 token(s)',
        ),
      )
    })

    it('json: the API rows unchanged, indented, one document', () => {
      const output = render('json', tokenListView(NOW), TOKENS, COLOR)
      expect(output).to.equal(`${JSON.stringify(TOKENS, null, 2)}\n`)
      expect(JSON.parse(output)).to.deep.equal(TOKENS)
    })

    it('json: the view may shape the document', () => {
      const view: ListView<TokenListItem> = {...tokenListView(NOW), json: (rows) => ({tokens: rows.map((t) => t.name)})}
      expect(render('json', view, TOKENS, PLAIN)).to.equal('{\n  "tokens": [\n    "github-ci",\n    "readonly-monitor"\n  ]\n}\n')
    })

    it('lists without a footer end with the last row', () => {
      const {footer: _footer, ...withoutFooter} = LIST_VIEW
      expect(render('table', withoutFooter, [GITHUB_CI], PLAIN)).to.match(/╯\n$/)
      expect(render('detailed', withoutFooter, [GITHUB_CI], PLAIN)).to.match(/Last used IP: 203\.0\.113\.7\n$/)
    })

    it('refuses a single record given to a list view', () => {
      const view: ListView<TokenListItem> = LIST_VIEW
      expect(() => render<TokenListItem>('table', view, GITHUB_CI, PLAIN)).to.throw(TypeError, /array of rows/)
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
        expect(render(format, tokenListView(NOW), [], PLAIN)).to.equal(expected)
      })
    }

    it('json uses view.json([]) when the view shapes the document', () => {
      const view: ListView<TokenListItem> = {...tokenListView(NOW), json: (rows) => ({tokens: rows})}
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
        expected: lines(
          ...HEADING,
          `Token:       ${CREATED.token}`,
          'Name:        github-ci',
          'Scope:       RW',
          'Org:         -',
          'Expires:     2026-08-24',
          'Allowed IPs: -',
          HINT,
        ),
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
    const expired: TokenListItem = {...GITHUB_CI, is_expired: true}

    for (const format of ['table', 'simple', 'detailed', 'json'] as const) {
      it(`${format}: no escape codes when colour is off`, () => {
        expect(render(format, tokenListView(NOW), [GITHUB_CI, expired], PLAIN)).not.to.include(ANSI)
        expect(render(format, createdTokenView, CREATED, PLAIN)).not.to.include(ANSI)
      })
    }

    it('table: the field colour paints that cell only, headers are bold, widths ignore the codes', () => {
      const output = render('table', tokenListView(NOW), [GITHUB_CI, expired], COLOR)
      expect(output).to.include('│ \u001B[32mactive\u001B[39m  │')
      expect(output).to.include('│ \u001B[33mexpired\u001B[39m │')
      expect(output).to.include('│ \u001B[1mNAME\u001B[22m      │')
      expect(output).to.include('│ github-ci │')
      expect(stripVTControlCharacters(output)).to.equal(render('table', tokenListView(NOW), [GITHUB_CI, expired], PLAIN))
    })

    it('detailed: the field colour paints the value', () => {
      expect(render('detailed', tokenListView(NOW), [GITHUB_CI], COLOR)).to.include('Status:       \u001B[32mactive\u001B[39m\n')
    })

    it('simple and json stay plain even when colour is allowed', () => {
      expect(render('simple', tokenListView(NOW), TOKENS, COLOR)).not.to.include(ANSI)
      expect(render('simple', createdTokenView, CREATED, COLOR)).not.to.include(ANSI)
      expect(render('json', tokenListView(NOW), TOKENS, COLOR)).not.to.include(ANSI)
    })

    it('an empty value is never painted', () => {
      const field: Field<TokenListItem> = {header: 'NOTE', label: 'Note', value: () => '', color: () => 'red'}
      const view: ListView<TokenListItem> = {kind: 'list', fields: [field], empty: 'none'}
      expect(render('table', view, [GITHUB_CI], COLOR)).not.to.include('\u001B[31m')
    })
  })

  describe('render: simple keeps one line per row', () => {
    it('turns tabs and newlines inside values into spaces', () => {
      const messy: TokenListItem = {...GITHUB_CI, name: 'two\twords\nand lines'}
      expect(render('simple', tokenListView(NOW), [messy], PLAIN).split('\n')[0]).to.equal(
        'two words and lines\tndpat_Jj8IYR\tRW\t-\t2026-08-24\t2m\tactive',
      )
    })
  })

})

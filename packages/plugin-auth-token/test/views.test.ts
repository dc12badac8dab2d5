/**
 * The token views against the reference page's samples (samples.ts): relative last use, expiry
 * with days left, rotation; every format of the list and the create record is in render.test.ts.
 */
import {expect} from 'chai'
import {render} from '@ndcli/core'

import {createdTokenView, rotatedTokenView, secretOnlyView, tokenDetailView, tokenListView} from '../src/views.js'
import {CREATED, GITHUB_CI, NOW} from './samples.js'

describe('token views', () => {
  for (const [lastUsed, shown] of [
    ['2026-05-26T11:59:30Z', 'now'],
    ['2026-05-26T07:00:00Z', '5h'],
    ['2026-05-23T12:00:00Z', '3d'],
    ['2026-05-01T12:00:00Z', '2026-05-01'],
    [null, 'Never'],
  ] as const) {
    it(`show a last use at ${lastUsed} as ${shown}`, () => {
      expect(render('simple', tokenListView(NOW), [{...GITHUB_CI, last_used_at: lastUsed}], {color: false}).split('\t')[5]).to.equal(shown)
    })
  }

  it('mark an expired token, in yellow on a terminal', () => {
    const expired = {...GITHUB_CI, is_expired: true}
    expect(render('simple', tokenListView(NOW), [expired], {color: false})).to.match(/\texpired\n$/)
    expect(render('table', tokenListView(NOW), [expired], {color: true})).to.include('\u001B[33mexpired\u001B[39m')
  })

  for (const [title, token, lines] of [
    ['without org, expiring', CREATED, ['Scope: RW', 'Expires: 2026-08-24']],
    ['restricted to ops, never expiring', {...CREATED, scope: 'RO', org: 'ops', expires_at: null}, ['Scope: RO', 'Org: ops', 'Expires: Never']],
  ] as const) {
    it(`render a created token ${title} as the reference prints it`, () => {
      expect(render('table', createdTokenView, token, {color: false})).to.equal(
        [
          '✓ Personal access token created',
          '⚠ Copy your token now — it will NOT be shown again.',
          `Token: ${CREATED.token}`,
          'Name: github-ci',
          ...lines,
          'Set NDCLI_TOKEN=<token> to use static auth without interactive login.',
          '',
        ].join('\n'),
      )
    })
  }

  for (const [expiresAt, isExpired, shown] of [
    ['2026-08-24T12:00:00Z', false, '2026-08-24 (90 days left)'],
    ['2026-05-27T12:00:00Z', false, '2026-05-27 (1 day left)'],
    ['2026-05-26T12:30:00Z', false, '2026-05-26 (expires today)'],
    ['2026-05-20T12:00:00Z', true, '2026-05-20 (expired)'],
    [null, false, 'Never'],
  ] as const) {
    it(`show an expiry at ${expiresAt} as "${shown}"`, () => {
      const text = render('simple', tokenDetailView(NOW), {...GITHUB_CI, expires_at: expiresAt, is_expired: isExpired}, {color: false})
      expect(text).to.include(`\nExpires: ${shown}\n`)
    })
  }

  it('show the grace window of a rotation only while there is one (always labelled in detailed)', () => {
    const inGrace = {...GITHUB_CI, previous_valid_until: '2026-05-26T12:10:00Z'}
    expect(render('simple', tokenDetailView(NOW), inGrace, {color: false})).to.match(/\nPrevious secret valid until: 2026-05-26 \d\d:\d\d:00 [+-]\d\d:\d\d\n$/)
    expect(render('simple', tokenDetailView(NOW), GITHUB_CI, {color: false})).not.to.include('Previous secret')
    expect(render('detailed', tokenDetailView(NOW), GITHUB_CI, {color: false})).to.match(/\nPrevious secret valid until: -\n$/)
  })

  it('render a rotation as the created-token block, headed as a rotation, with the grace window when there is one', () => {
    const withoutGrace = render('table', rotatedTokenView, {...CREATED, previous_valid_until: null}, {color: false}).split('\n')
    expect(withoutGrace.slice(0, 4)).to.deep.equal([
      '✓ Personal access token rotated',
      '⚠ Copy your token now — it will NOT be shown again.',
      'The previous secret no longer works.',
      `Token: ${CREATED.token}`,
    ])
    const withGrace = render('table', rotatedTokenView, {...CREATED, previous_valid_until: '2026-05-26T12:10:00Z'}, {color: false}).split('\n')
    expect(withGrace[2]).to.equal(`Token: ${CREATED.token}`)
    expect(withGrace.at(-3)).to.match(/^Previous secret valid until: 2026-05-26 /)
  })

  for (const format of ['table', 'json', 'simple', 'detailed'] as const) {
    it(`print only the secret and a newline with --quiet's view, even in ${format}`, () => {
      expect(render(format, secretOnlyView, CREATED, {color: true})).to.equal(`${CREATED.token}\n`)
    })
  }
})

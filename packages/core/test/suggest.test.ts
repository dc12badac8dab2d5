import {expect} from 'chai'

import {nearest} from '../src/suggest.js'

describe('nearest (did-you-mean)', () => {
  it('finds a typo within a third of the typed length, at least two edits', () => {
    expect(nearest('lst', ['list', 'show'])).to.equal('list')
    expect(nearest('nmae', ['name', 'scope', 'org'])).to.equal('name')
    expect(nearest('require-org-restricton', ['require-org-restriction', 'no-require-org-restriction'])).to.equal('require-org-restriction')
  })

  it('suggests nothing for a word near no candidate, or when there are none', () => {
    expect(nearest('xyzzy', ['org:list', 'auth:login'])).to.equal(undefined)
    expect(nearest('colour', ['format', 'json'])).to.equal(undefined)
    expect(nearest('name', [])).to.equal(undefined)
  })

  it('takes the first of equally near candidates', () => {
    expect(nearest('ab', ['aa', 'bb'])).to.equal('aa')
  })
})

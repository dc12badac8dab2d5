import {expect} from 'chai'

import {crc32, generatePat, PAT_LENGTH, patDisplayPrefix, validatePat} from '../src/pat.js'

describe('PAT format', () => {
  const token = generatePat()

  it('generates ndpat_ + 43 base64url characters that validate', () => {
    expect(token).to.match(/^ndpat_[A-Za-z0-9_-]{43}$/)
    expect(token).to.have.length(PAT_LENGTH)
    expect(validatePat(token)).to.deep.equal({valid: true})
    expect(patDisplayPrefix(token)).to.equal(token.slice(0, 12))
  })

  it('computes the IEEE CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).to.equal(0xcb_f4_39_26)
  })

  const flipLast = (value: string) => value.slice(0, -2) + (value.at(-2) === 'A' ? 'B' : 'A') + value.at(-1)
  const cases: Array<{name: string; value: string; problem: string; reason: RegExp}> = [
    {name: 'wrong prefix', value: 'ghp_' + token.slice(6), problem: 'prefix', reason: /does not start with "ndpat_"/},
    {name: 'empty', value: '', problem: 'prefix', reason: /does not start with/},
    {name: 'truncated', value: token.slice(0, -3), problem: 'length', reason: /looks truncated: 40 of 43 characters/},
    {name: 'too long', value: token + 'x', problem: 'length', reason: /too long: 44 characters/},
    {name: 'bad alphabet', value: token.slice(0, 10) + '+' + token.slice(11), problem: 'alphabet', reason: /base64url alphabet/},
    {name: 'whitespace inside', value: token.slice(0, 10) + ' ' + token.slice(11), problem: 'alphabet', reason: /base64url alphabet/},
    {name: 'checksum mismatch', value: flipLast(token), problem: 'checksum', reason: /^has a checksum that does not match/},
  ]
  for (const {name, value, problem, reason} of cases) {
    it(`refuses a token with ${name}, without echoing it`, () => {
      const check = validatePat(value)
      expect(check.valid).to.equal(false)
      if (check.valid) return
      expect(check.problem).to.equal(problem)
      expect(check.reason).to.match(reason)
      if (value.length > 8) expect(check.reason).not.to.include(value.slice(6, 20))
    })
  }
})

import {expect} from 'chai'
import {findDuplicateKey, parseJsonBody} from '../src/json-body.js'

describe('strict JSON bodies', () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1},"c":{"b":2}}', undefined],
    ['{"a":{"b":1,"b":2}}', 'b'],
    ['[{"a":1},{"a":1}]', undefined],
    ['{"a":"\\"a\\"","\\"a\\"":1}', undefined],
    ['{"\\u0061":1,"a":2}', 'a'],
    ['{"a":["x","a"],"b":1}', undefined],
    ['{"a":1,"list":[{"k":1,"k":2}]}', 'k'],
  ]
  for (const [json, duplicate] of cases) {
    it(`${json} → ${duplicate === undefined ? 'no duplicate' : `duplicate "${duplicate}"`}`, () => {
      expect(findDuplicateKey(json)).to.equal(duplicate)
    })
  }

  it('refuses invalid JSON and repeated keys with a sentence, and parses the rest', () => {
    expect(() => parseJsonBody('{"a":')).to.throw('The request body is not valid JSON.')
    expect(() => parseJsonBody('{"a":1,"a":1}')).to.throw('The request body repeats the key "a".')
    expect(parseJsonBody('{"a":[1,{"b":null}]}')).to.deep.equal({a: [1, {b: null}]})
  })
})

/**
 * The token contract's types are exactly what its schemas describe: a field added, dropped or
 * retyped on one side only fails the typecheck (npm test), not a user's script later.
 */
import {expect} from 'chai'
import type {FromSchema} from 'json-schema-to-ts'

import {createdTokenSchema, rotatedTokenSchema, tokenListItemSchema, type CreatedToken, type RotatedToken, type TokenListItem} from '../src/contract.js'

/** true only when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

const checks: {[K in 'TokenListItem' | 'CreatedToken' | 'RotatedToken']: true} = {
  TokenListItem: true satisfies Same<FromSchema<typeof tokenListItemSchema>, TokenListItem>,
  CreatedToken: true satisfies Same<FromSchema<typeof createdTokenSchema>, CreatedToken>,
  RotatedToken: true satisfies Same<FromSchema<typeof rotatedTokenSchema>, RotatedToken>,
}

describe('contract', () => {
  it('declares every token type as its schema describes it (checked by the typecheck)', () => {
    expect(Object.values(checks)).to.deep.equal([true, true, true])
  })

  it('requires every property it declares, so a response cannot leave one out', () => {
    for (const schema of [tokenListItemSchema, createdTokenSchema, rotatedTokenSchema]) {
      expect([...schema.required].sort()).to.deep.equal(Object.keys(schema.properties).sort())
    }
  })
})

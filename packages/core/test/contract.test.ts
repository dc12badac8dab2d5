/**
 * The token contract's types are exactly what its schemas describe: a field added, dropped or
 * retyped on one side only fails the typecheck (npm test), not a user's script later.
 */
import {expect} from 'chai'
import type {FromSchema} from 'json-schema-to-ts'

import {
  createdTokenSchema,
  policyCheckSchema,
  rotatedTokenSchema,
  tokenListItemSchema,
  tokenPolicySchema,
  type CreatedToken,
  type PolicyCheck,
  type RotatedToken,
  type TokenListItem,
  type TokenPolicy,
} from '../src/contract.js'

/** true only when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

const checks: {[K in 'TokenListItem' | 'CreatedToken' | 'RotatedToken' | 'TokenPolicy' | 'PolicyCheck']: true} = {
  TokenListItem: true satisfies Same<FromSchema<typeof tokenListItemSchema>, TokenListItem>,
  CreatedToken: true satisfies Same<FromSchema<typeof createdTokenSchema>, CreatedToken>,
  RotatedToken: true satisfies Same<FromSchema<typeof rotatedTokenSchema>, RotatedToken>,
  TokenPolicy: true satisfies Same<FromSchema<typeof tokenPolicySchema>, TokenPolicy>,
  PolicyCheck: true satisfies Same<FromSchema<typeof policyCheckSchema>, PolicyCheck>,
}

describe('contract', () => {
  it('declares every token type as its schema describes it (checked by the typecheck)', () => {
    expect(Object.values(checks)).to.deep.equal([true, true, true, true, true])
  })

  it('requires every property it declares, so a response cannot leave one out', () => {
    for (const schema of [tokenListItemSchema, createdTokenSchema, rotatedTokenSchema, tokenPolicySchema, policyCheckSchema]) {
      expect([...schema.required].sort()).to.deep.equal(Object.keys(schema.properties).sort())
    }
  })
})

import type {Clock} from './clock.js'
import {UniqueViolation, type Organization, type Role, type Store, type User} from './db/index.js'
import {hashPassword} from './passwords.js'

/** Operator operations (ndcli-server user|org|member add), shared by the CLI and test fixtures. */

export const ROLES: readonly Role[] = ['superuser', 'read-write', 'read-only']
/** Organization slugs: 1-64 of a-z 0-9 -, not starting or ending with '-'. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/
const EMAIL = /^[^\s@]+@[^\s@]+$/

/** A refusal the operator can fix; its message is one sentence. */
export class AccountError extends Error {
  override name = 'AccountError'
}

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export async function addUser(
  store: Store,
  clock: Clock,
  input: {email: string; password: string; name?: string},
): Promise<User> {
  const email = normalizeEmail(input.email)
  if (!EMAIL.test(email)) throw new AccountError(`"${input.email}" is not an email address.`)
  if (input.password === '') throw new AccountError('The password must not be empty.')
  try {
    return await store.createUser({
      email,
      name: input.name ?? null,
      passwordHash: await hashPassword(input.password),
      createdAt: clock().toISOString(),
    })
  } catch (error) {
    if (error instanceof UniqueViolation) throw new AccountError(`A user with the email ${email} already exists.`)
    throw error
  }
}

export async function addOrganization(store: Store, clock: Clock, input: {slug: string; name?: string}): Promise<Organization> {
  if (!SLUG.test(input.slug)) {
    throw new AccountError(
      `The slug "${input.slug}" is not valid: use 1-64 lower-case letters, digits or '-', not starting or ending with '-'.`,
    )
  }
  try {
    return await store.createOrganization({slug: input.slug, name: input.name ?? input.slug, createdAt: clock().toISOString()})
  } catch (error) {
    if (error instanceof UniqueViolation) throw new AccountError(`An organization with the slug "${input.slug}" already exists.`)
    throw error
  }
}

/** Adds a member, or changes the role of an existing one. */
export async function addMember(
  store: Store,
  clock: Clock,
  input: {org: string; email: string; role: string},
): Promise<void> {
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw new AccountError(`The role must be one of: ${ROLES.join(', ')}.`)
  }
  const organization = await store.findOrganizationBySlug(input.org)
  if (!organization) throw new AccountError(`There is no organization with the slug "${input.org}".`)
  const user = await store.findUserByEmail(normalizeEmail(input.email))
  if (!user) throw new AccountError(`There is no user with the email ${normalizeEmail(input.email)}.`)
  await store.putMembership({
    userId: user.id,
    orgId: organization.id,
    role: input.role as Role,
    createdAt: clock().toISOString(),
  })
}

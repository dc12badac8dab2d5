/**
 * Checks that need no request, before any command runs: a malformed NDCLI_TOKEN
 * is refused with the reason, and commands that mint or destroy tokens are
 * refused under a PAT (cli.md) — a leaked token must not manage tokens; a folder
 * given to `plugins link` meets the plugin trust rules.
 */
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import type {Hook, Interfaces} from '@oclif/core'
import {ForbiddenError, formatFromArgv, reportError, tokenFromEnv, TOKEN_ENV} from '@ndcli/core'

/** Commands that talk to no control plane and so ignore NDCLI_TOKEN. */
const OFFLINE_TOPICS = ['config', 'plugins', 'help', 'autocomplete', 'version']
/** Commands that manage the stored login session and never send NDCLI_TOKEN: a bad token must not stop them. */
const SESSION_COMMANDS = ['auth:login', 'auth:logout']

const hook: Hook.Prerun = async function ({Command, argv, config}) {
  // oclif runs plugins:preinstall for `plugins install` only: a linked folder gets the same trust rules here.
  if (Command.id === 'plugins:link') return checkLink.call(this, argv, config)
  if (!process.env[TOKEN_ENV]) return
  if (OFFLINE_TOPICS.some((topic) => Command.id === topic || Command.id.startsWith(topic + ':'))) return
  if (SESSION_COMMANDS.includes(Command.id)) return
  try {
    if (requiresSession(Command, argv)) {
      throw new ForbiddenError(`${sessionOnlyName(Command.id)} requires interactive authentication — unset ${TOKEN_ENV} and log in with 'ndcli auth login'`, {
        code: 'pat_not_allowed',
      })
    }
    tokenFromEnv()
  } catch (error) {
    this.exit(reportError(error, formatFromArgv(argv) ?? 'table'))
  }
}

async function checkLink(this: Hook.Context, argv: string[], config: Interfaces.Config): Promise<void> {
  const folder = argv.find((arg) => !arg.startsWith('-'))
  if (folder === undefined) return // oclif reports the missing argument
  try {
    const {checkWithShellRules} = await import('../plugins/check-install.js')
    if ((await checkWithShellRules({type: 'repo', url: pathToFileURL(resolve(folder)).href}, config)) === 'declined') {
      process.stderr.write('Nothing linked.\n')
      // A "no" is a success (exit 0), but oclif ignores a hook's exit(0) and would link anyway.
      process.exit(0)
    }
  } catch (error) {
    this.exit(reportError(error, 'table'))
  }
}

/**
 * A command's static `requiresSession`: true, or a function of its argv when that depends on
 * the flags (e.g. `auth token revoke`: by name yes; `--stdin`, which presents a leaked value
 * and sends no credential, no).
 */
function requiresSession(command: object, argv: string[]): boolean {
  const rule = (command as {requiresSession?: boolean | ((argv: string[]) => boolean)}).requiresSession
  return typeof rule === 'function' ? rule(argv) : Boolean(rule)
}

/** cli.md's wording: "token create/revoke requires…"; other session-only commands name themselves. */
function sessionOnlyName(id: string): string {
  const words = id.split(':')
  const verb = words.at(-1)!
  const noun = words.at(-2) ?? ''
  return `${noun} ${verb === 'create' || verb === 'revoke' ? 'create/revoke' : verb}`.trim()
}

export default hook

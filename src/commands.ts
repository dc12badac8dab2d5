/**
 * Every command of the shell, for oclif's "explicit" command strategy (package.json:
 * oclif.commands). A module of its own, bundled by scripts/bundle.js into dist/commands.js,
 * so that runs which execute no shell command (--version, help, a plugin's command) never
 * load or evaluate the commands and @ndcli/core. scripts/bundle.js refuses to build when a
 * file in src/commands is not listed here.
 */
import AuthLogin from './commands/auth/login.js'
import AuthLogout from './commands/auth/logout.js'
import AuthMigrate from './commands/auth/migrate.js'
import AuthStatus from './commands/auth/status.js'
import ConfigGet from './commands/config/get.js'
import ConfigList from './commands/config/list.js'
import ConfigSet from './commands/config/set.js'
import ConfigUnset from './commands/config/unset.js'
import OrgList from './commands/org/list.js'
import OrgPolicySet from './commands/org/policy/set.js'
import OrgPolicyShow from './commands/org/policy/show.js'
import OrgShow from './commands/org/show.js'
import OrgUpdate from './commands/org/update.js'

/** Command id → class. */
export const COMMANDS = {
  'auth:login': AuthLogin,
  'auth:logout': AuthLogout,
  'auth:migrate': AuthMigrate,
  'auth:status': AuthStatus,
  'config:get': ConfigGet,
  'config:list': ConfigList,
  'config:set': ConfigSet,
  'config:unset': ConfigUnset,
  'org:list': OrgList,
  'org:policy:set': OrgPolicySet,
  'org:policy:show': OrgPolicyShow,
  'org:show': OrgShow,
  'org:update': OrgUpdate,
}

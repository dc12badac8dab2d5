/** Programmatic API of the control plane: embed it in tests or other processes. */
export {createApp, type AppOptions, type LoggerOptions} from './app.js'
export {startServer, type RunningServer, type StartServerOptions} from './server.js'
export {openStore, Store, type StoreOptions} from './db/index.js'
export type {Organization, PersonalAccessToken, Role, Scope, User} from './db/index.js'
export {addMember, addOrganization, addUser, AccountError, ROLES} from './accounts.js'
export {offsetClock, systemClock, type AdjustableClock, type Clock} from './clock.js'
export {DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, defaultDataDir, limitsFromEnv, type Limits} from './config.js'

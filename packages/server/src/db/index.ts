import {systemClock, type Clock} from '../clock.js'
import type {SqlDriver} from './driver.js'
import {migrate} from './migrations.js'
import {openPostgresDriver} from './postgres.js'
import {openSqliteDriver} from './sqlite.js'
import {Store} from './store.js'

export {Store, OPEN_TOKEN_POLICY} from './store.js'
export type * from './store.js'
export {UniqueViolation, UnstorableText, type Dialect} from './driver.js'

export interface StoreOptions {
  /** Directory of the embedded SQLite database (created if missing). */
  dataDir?: string
  /** A postgres:// URL; takes precedence over dataDir. */
  databaseUrl?: string
  clock?: Clock
  /** Told what was fixed on the way (e.g. a data directory's loose permissions); the CLI logs it. */
  warn?: (message: string) => void
}

/** Opens the database and applies pending migrations before returning. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const driver = await openDriver(options)
  try {
    await migrate(driver, (options.clock ?? systemClock)())
  } catch (error) {
    await driver.close()
    throw error
  }
  return new Store(driver)
}

async function openDriver({dataDir, databaseUrl, warn}: StoreOptions): Promise<SqlDriver> {
  // A static import: loaded lazily, a second copy of driver.ts could appear under loaders that mix
  // require and import (mocha + tsx do), and `instanceof UniqueViolation` would then fail.
  if (databaseUrl) return openPostgresDriver(databaseUrl)
  if (!dataDir) throw new Error('openStore needs a dataDir or a databaseUrl')
  return openSqliteDriver(dataDir, warn)
}

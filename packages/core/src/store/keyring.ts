/**
 * The OS keyring (Secret Service, Keychain, Credential Manager) through @napi-rs/keyring, loaded
 * only when a session is read or written: it is a native module (~22 ms to import, ~15 ms to
 * connect), so `--version` and PAT commands never load it.
 */
import {connect, type Socket} from 'node:net'

export const KEYRING_SERVICE = 'ndcli'
/** How long deciding whether a keyring is there may take (the package's own D-Bus timeout is 2 s too). */
const DECISION_TIMEOUT_MS = 2000

type Entry = import('@napi-rs/keyring').AsyncEntry

/** An item in the keyring; every method rejects with a KeyringUnavailable when the keyring cannot be used. */
export interface KeyringItem {
  get(): Promise<string | null>
  set(value: string): Promise<void>
  delete(): Promise<boolean>
}

export class KeyringUnavailable extends Error {}

/** One keyring per process: once it proved unusable, later calls fail at once instead of waiting again. */
export class Keyring {
  private failure?: KeyringUnavailable
  private ready?: Promise<typeof import('@napi-rs/keyring')>

  constructor(private readonly env: NodeJS.ProcessEnv = process.env, private readonly platform: NodeJS.Platform = process.platform) {}

  async item(account: string): Promise<KeyringItem> {
    const module = await this.load()
    let entry: Entry
    try {
      // Pinned to the Secret Service: without it the package falls back silently to the kernel keyring, lost at reboot.
      entry = new module.AsyncEntry(KEYRING_SERVICE, account, {linux: {store: 'secret-service'}})
    } catch (error) {
      throw this.fail(error)
    }
    const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
      if (this.failure) throw this.failure
      try {
        return await operation()
      } catch (error) {
        throw this.fail(error)
      }
    }
    return {
      get: () => guard(() => entry.getPassword()),
      set: (value) => guard(() => entry.setPassword(value)),
      delete: () => guard(() => entry.deleteCredential()),
    }
  }

  private fail(error: unknown): KeyringUnavailable {
    this.failure ??= new KeyringUnavailable(`the keyring cannot be used (${String((error as Error).message ?? error).split('\n')[0]})`)
    return this.failure
  }

  private load(): Promise<typeof import('@napi-rs/keyring')> {
    this.ready ??= (async () => {
      if (this.platform === 'linux' || this.platform === 'freebsd' || this.platform === 'openbsd') {
        const address = this.env.DBUS_SESSION_BUS_ADDRESS
        if (!address) throw new KeyringUnavailable('no keyring is reachable (DBUS_SESSION_BUS_ADDRESS is not set)')
        // The package connects synchronously and waits forever on a bus that accepts and never answers.
        await probeBus(address)
      }
      try {
        return await import('@napi-rs/keyring')
      } catch (error) {
        throw new KeyringUnavailable(`the keyring module cannot be loaded (${(error as Error).message.split('\n')[0]})`)
      }
    })()
    return this.ready.catch((error: unknown) => {
      throw this.fail(error instanceof KeyringUnavailable ? {message: error.message} : error)
    })
  }
}

/** Resolves when the D-Bus daemon at `address` answers an authentication request within the decision timeout. */
async function probeBus(address: string): Promise<void> {
  const target = socketTarget(address)
  if (!target) return // An address form we do not parse: the package decides (with its own timeout).
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(new KeyringUnavailable(error.message))
      else resolve()
    }
    const timer = setTimeout(() => done(new Error(`the D-Bus session bus did not answer within ${DECISION_TIMEOUT_MS / 1000} s`)), DECISION_TIMEOUT_MS)
    const socket: Socket = connect(target, () => {
      const uid = String(process.getuid?.() ?? 0)
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`)
    })
    socket.once('data', () => done())
    socket.once('error', (error) => done(new Error(`the D-Bus session bus cannot be reached (${error.message})`)))
  })
}

function socketTarget(address: string): {path: string} | {host: string; port: number} | undefined {
  for (const part of address.split(';')) {
    const [transport, rest = ''] = part.split(/:(.*)/s)
    const keys = Object.fromEntries(rest.split(',').map((pair) => pair.split(/=(.*)/s).map(decodeURIComponent)))
    if (transport === 'unix' && keys.path) return {path: keys.path}
    if (transport === 'unix' && keys.abstract) return {path: `\0${keys.abstract}`}
    if (transport === 'tcp' && keys.port) return {host: keys.host ?? 'localhost', port: Number(keys.port)}
  }
  return undefined
}

type Hook = (fn: () => void) => void

/**
 * Inside a mocha `describe`: its tests run with TZ set to `zone`, and the caller's zone comes
 * back afterwards (Node re-reads TZ on assignment). Mocha's hooks are its globals, looked up
 * at the call, so that this module needs no mocha to load.
 */
export function inTimeZone(zone: string): void {
  const {before, after} = globalThis as unknown as {before: Hook; after: Hook}
  let saved: string | undefined
  before(() => {
    saved = process.env.TZ
    process.env.TZ = zone
  })
  after(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
}

/**
 * `@ndcli/core/pat`: the personal access token format, with generation and digests (the
 * server's). The package's main entry exports only the format (pat-format.ts).
 */
export * from './pat-format.js'
export {generatePat, secretDigest} from './pat-secrets.js'

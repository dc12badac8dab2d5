/**
 * SARIF 2.1.0 for `auth token scan --sarif FILE`, the format GitHub code scanning and GitLab
 * read: one rule, one result per finding with its location. Only the display prefix of a
 * token is ever written; a history finding carries its commit in properties and in
 * partialFingerprints (so a code-scanning service keeps one alert per commit and place).
 */
export const SARIF_RULE_ID = 'ndcli/personal-access-token'

export interface SarifFinding {
  path: string
  line: number
  column: number
  token_prefix: string
  commit: string | null
  source: string
}

export function sarifLog(findings: SarifFinding[], version: string): unknown {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ndcli',
            version,
            rules: [
              {
                id: SARIF_RULE_ID,
                name: 'NdcliPersonalAccessToken',
                shortDescription: {text: 'An ndcli personal access token (valid checksum) is in the code or its history'},
                fullDescription: {text: 'Revoke it at once by value (ndcli auth token scan --revoke, or ndcli auth token revoke --stdin), then remove it and create a new one.'},
                defaultConfiguration: {level: 'error'},
                properties: {tags: ['security', 'secret']},
              },
            ],
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((finding) => ({
          ruleId: SARIF_RULE_ID,
          ruleIndex: 0,
          level: 'error',
          message: {
            text: `ndcli personal access token ${finding.token_prefix}… (valid checksum)${finding.commit ? ` added in commit ${finding.commit}` : ''}: revoke it and remove it.`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {uri: uriOf(finding.path)},
                region: {startLine: finding.line, startColumn: finding.column},
              },
            },
          ],
          partialFingerprints: {tokenPrefixAndPlace: `${finding.token_prefix}:${finding.path}:${finding.line}${finding.commit ? `:${finding.commit}` : ''}`},
          properties: {source: finding.source, ...(finding.commit ? {commit: finding.commit} : {})},
        })),
      },
    ],
  }
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
function uriOf(path: string): string {
  return path
    .replaceAll('\\', '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

/**
 * The OpenAPI document is the published contract: every response a test receives through
 * helpers.ts's request() is checked against it here, so a server answer that drifts from
 * the document (a field added, dropped or retyped; an undocumented success status) fails
 * whichever test saw it.
 */
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

import {openApiDocument} from '../src/openapi.js'

type JsonSchema = Record<string, unknown>
interface DocumentedResponse {
  content?: Record<string, {schema?: JsonSchema}>
}
type Operations = Record<string, {responses: Record<string, DocumentedResponse>}>

const DOCUMENT_ID = 'openapi.json'
const ajv = new Ajv2020({allErrors: true, strict: true})
// The standard formats (date-time: the API's times are ISO-8601).
;(addFormats as unknown as (ajv: Ajv2020) => void)(ajv)
// The document's component schemas, as $defs of one schema that every #/components/schemas/… reference points into.
ajv.addSchema({$id: DOCUMENT_ID, $defs: resolveReferences(openApiDocument.components.schemas)})

const paths = Object.entries(openApiDocument.paths as unknown as Record<string, Operations>).map(([template, operations]) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  operations,
}))

const compiled = new Map<string, ValidateFunction>()
function validator(key: string, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(key)
  if (!validate) {
    validate = ajv.compile(resolveReferences(schema))
    compiled.set(key, validate)
  }
  return validate
}

function resolveReferences(schema: object): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${DOCUMENT_ID}#/$defs/`)) as JsonSchema
}

const errorSchema = {$ref: '#/components/schemas/Error'}

export interface ObservedResponse {
  status: number
  contentType: string | null
  body: unknown
}

/**
 * Why `response` to `method path` breaks the document, or undefined when it conforms. An
 * error status the operation does not list (a 413, 415 or 500 can come from anywhere, as
 * can 404 for an unknown route) must still be the documented error envelope.
 */
export function conformanceProblem(method: string, path: string, response: ObservedResponse): string | undefined {
  const pathname = new URL(path, 'http://localhost').pathname
  const where = `${method} ${pathname} → ${response.status}`
  const operation = paths.find((entry) => entry.pattern.test(pathname))?.operations[method.toLowerCase()]
  const documented = operation?.responses[String(response.status)]
  if (!documented) {
    if (response.status < 400) return operation ? `${where}: the document lists no such status for this operation` : undefined
    return response.contentType?.startsWith('application/json') ? check(`error ${response.status}`, errorSchema, response.body, where) : undefined
  }
  const schema = documented.content?.['application/json']?.schema
  if (!schema || !response.contentType?.startsWith('application/json')) {
    const declared = Object.keys(documented.content ?? {})
    if (response.contentType?.startsWith('application/json') && declared.length > 0 && !declared.includes('application/json')) {
      return `${where}: answered JSON, the document says ${declared.join(', ')}`
    }
    if (schema) return `${where}: the document describes a JSON body, the server answered ${response.contentType ?? 'no content type'}`
    return undefined
  }
  return check(`${method} ${paths.find((entry) => entry.pattern.test(pathname))!.template} ${response.status}`, schema, response.body, where)
}

function check(key: string, schema: JsonSchema, body: unknown, where: string): string | undefined {
  const validate = validator(key, schema)
  if (validate(body)) return undefined
  const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}${error.params ? ' ' + JSON.stringify(error.params) : ''}`)
  return `${where}: the body does not match the OpenAPI document: ${errors.join('; ')}\n${JSON.stringify(body)}`
}

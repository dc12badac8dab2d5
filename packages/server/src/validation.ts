import type {FastifySchemaValidationError} from 'fastify/types/schema.js'

/**
 * Turns the first JSON-schema violation into a sentence that names the field
 * and the allowed values. Property schemas carry the rule in `description`,
 * phrased to follow the field name ("must be one of: RW, RO"), which also
 * documents it in the OpenAPI output.
 */
export function describeValidationError(errors: FastifySchemaValidationError[], context: string): string {
  const [error] = errors
  if (!error) return `The request ${context} is invalid`
  const parent = (error as {parentSchema?: SchemaNode}).parentSchema ?? {}
  const params = error.params as Record<string, unknown>
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.')
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty)
      const rule = parent.properties?.[missing]?.description
      return rule ? `${missing} is required and ${rule}` : `${missing} is required`
    }
    case 'additionalProperties': {
      const allowed = Object.keys(parent.properties ?? {}).join(', ')
      return `Unknown field "${String(params.additionalProperty)}": the allowed fields are ${allowed}`
    }
    default:
      if (field === '') return `The request ${context} must be a JSON object`
      return `${field} ${parent.description ?? error.message ?? 'is invalid'}`
  }
}

interface SchemaNode {
  description?: string
  properties?: Record<string, SchemaNode | undefined>
}

/** What the build scripts need of an acorn tree (scripts/bundle.js, scripts/eager-compile.js). */
import {parse} from 'acorn'

/** The tree of a bundle as Node runs it (a CommonJS module: `return` is allowed at its top). */
export function parseBundle(code) {
  return parse(code, {ecmaVersion: 'latest', allowReturnOutsideFunction: true})
}

/** Calls visit(node, parent) for every node of an acorn tree, parents first. */
export function walk(node, visit, parent = null) {
  visit(node, parent)
  for (const child of Object.values(node)) {
    for (const item of Array.isArray(child) ? child : [child]) if (item && typeof item.type === 'string') walk(item, visit, node)
  }
}

/** A method, getter, setter or constructor (of a class or an object literal): its function has no expression form. */
export function isMethodValue(parent) {
  return parent?.type === 'MethodDefinition' || (parent?.type === 'Property' && (parent.method || parent.kind !== 'init'))
}

/** An identifier that names a property or a label, not a variable: `a.name`, `{name: v}`, `name() {}`, `break name`. */
export function namesProperty(node, parent) {
  switch (parent?.type) {
    case 'MemberExpression':
      return parent.property === node && !parent.computed
    case 'Property':
      return parent.key === node && !parent.computed && !parent.shorthand
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.key === node && !parent.computed
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return true
    default:
      return false
  }
}

/** An identifier a `var`/`let`/`const` declares or an assignment assigns to. */
export function bindsName(node, parent) {
  return (parent?.type === 'VariableDeclarator' && parent.id === node) || (parent?.type === 'AssignmentExpression' && parent.left === node)
}

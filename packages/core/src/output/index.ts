export * from './types.js'
export {render} from './render.js'
export {daysUntil, formatDate, formatDateTime, formatRelative} from './time.js'

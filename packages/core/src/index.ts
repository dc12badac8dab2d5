export * from './pat.js'
export * from './output/types.js'

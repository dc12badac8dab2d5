// Injected into @ndcli/core's runtime for the global `ReadableStream` (scripts/bundle.js): got
// tests `body instanceof ReadableStream` for every request, even one without a body, and the
// global's first read loads Node's web streams (~10 M instructions). Only an object with a
// getReader method can be one, so anything else is answered without loading them.
export const ReadableStream = {[Symbol.hasInstance]: (value) => typeof value?.getReader === 'function' && value instanceof globalThis.ReadableStream}

/** scripts/eager-compile.js, as test/startup.test.ts uses it. */
export function compileEagerly(code: string, called: Set<number>): {code: string; stats: {expressions: number; declarations: number; methods: number; factories: number}}

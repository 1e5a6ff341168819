import { createRequire, registerHooks } from 'node:module'
import { pathToFileURL } from 'node:url'
import { globalIgnores } from 'eslint/config'

// typescript-eslint parses with TypeScript's compiler API, which TypeScript 7 does not ship: npm
// installs TypeScript 6 beside neostandard for it, but ts-api-utils, hoisted to the top, would load 7.
const typescriptForLint = pathToFileURL(createRequire(createRequire(import.meta.url).resolve('neostandard')).resolve('typescript')).href
registerHooks({
  resolve (specifier, context, nextResolve) {
    if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/ts-api-utils/')) return { url: typescriptForLint, shortCircuit: true }
    return nextResolve(specifier, context)
  }
})
const { default: neostandard } = await import('neostandard')

const unusedVars = ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_$' }]

export default [
  // build output, and the codecs protons generates (scripts/generate.sh)
  globalIgnores(['dist/', 'src/protocol/pb/*.ts']),
  ...neostandard({ ts: true }),
  {
    files: ['**/*.js', '**/*.ts'],
    rules: {
      // `void promise` marks a promise deliberately not awaited (a background task, a handler's reply)
      'no-void': 'off',
      // standard's options, and `_` for a value a loop must take but does not use
      'no-unused-vars': unusedVars,
      // a `let` read by a callback made before it is assigned (a signal handler, a connection gate) cannot be const
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }]
    }
  },
  {
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': unusedVars }
  },
  {
    // an eslint-disable comment must name a rule that fires there
    linterOptions: { reportUnusedDisableDirectives: 'error' }
  }
]

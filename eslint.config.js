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

/** Files matching `files` may not import from the folders of src/ named in `above` (nor, in `siblings`, those files of their parent folder). */
function layer (files, above, siblings = []) {
  const folders = `(\\.\\./)+(${above.join('|')})/`
  const parentFiles = siblings.length > 0 ? [{ regex: `^\\.\\./(${siblings.join('|')})\\.ts$`, message: 'a lower layer does not import the code built on it' }] : []
  return {
    files: [files],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: `^${folders}`, message: 'a lower layer does not import the code built on it' }, ...parentFiles] }] }
  }
}

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
  // the layers of src/: cli -> client, node, directory -> protocol, content, node/disk -> net -> util, errors
  // (a later entry matching the same file replaces an earlier one's list: the narrower folder comes last)
  layer('src/util/**', ['net', 'protocol', 'content', 'security', 'config', 'http', 'client', 'node', 'directory', 'cli']),
  layer('src/net/**', ['protocol', 'content', 'security', 'config', 'http', 'client', 'node', 'directory', 'cli']),
  layer('src/content/**', ['net', 'protocol', 'security', 'config', 'http', 'client', 'node', 'directory', 'cli']),
  layer('src/protocol/**', ['security', 'config', 'http', 'client', 'node', 'directory', 'cli']),
  layer('src/client/**', ['node', 'directory', 'cli']),
  layer('src/node/**', ['client', 'directory', 'cli']),
  layer('src/node/disk/**', ['net', 'protocol', 'security', 'config', 'http', 'client', 'directory', 'cli'], ['store-handler', 'storage-node', 'maintenance']),
  layer('src/directory/**', ['node', 'cli']),
  {
    // an eslint-disable comment must name a rule that fires there
    linterOptions: { reportUnusedDisableDirectives: 'error' }
  }
]

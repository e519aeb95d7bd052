// ESLint flat config: typescript-eslint's recommended rules (syntax only, no type information, to keep
// `npm run lint` fast) plus the layer rules that keep the architecture honest:
//   - domain/     is pure: no I/O, no clock, no framework, no other layer of ours;
//   - workflows/  is deterministic Temporal code: no I/O, no Node built-ins, no other layer of ours
//                 except type-only imports of the activities it proxies;
//   - api/        knows nothing of the UI, which is built on it; only server/ (the composition root)
//                 puts the two together.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Node built-ins by their bare names; NODE_PREFIX catches every `node:` specifier, prefix-only ones included. */
const NODE_BUILTINS = builtinModules;
const NODE_PREFIX = '^node:';

/** A relative import that climbs to one of our top-level folders, e.g. `../../eventstore/port`. */
const ourFolder = (...folders) => `^(\\./)?(\\.\\./)+(${folders.join('|')})(/|$)`;

const builtinPaths = (why) => NODE_BUILTINS.map((name) => ({ name, message: why }));

/** Loading code at run time would slip past the import rules. */
const noRuntimeLoading = (layer) => [
  { selector: 'ImportExpression', message: `Dynamic import() is not allowed in ${layer}; use a static import.` },
  { selector: "CallExpression[callee.name='require']", message: `require() is not allowed in ${layer}; use a static import.` },
];

const WORKFLOW_IO_PACKAGES = [
  'better-sqlite3',
  'fastify',
  'pino',
  '@eventstore/db-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

const workflowLayer = {
  files: ['workflows/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...builtinPaths('Workflows run in the deterministic Temporal sandbox: no Node built-ins. Do I/O in an activity.'),
          ...WORKFLOW_IO_PACKAGES.map((name) => ({
            name,
            message: 'Workflows must be deterministic: this package does I/O. Call an activity instead.',
          })),
        ],
        patterns: [
          { regex: NODE_PREFIX, message: 'Workflows run in the deterministic Temporal sandbox: no Node built-ins.' },
          {
            regex: '^(better-sqlite3|fastify|pino|@eventstore)(/|$)',
            message: 'Workflows must be deterministic: this package does I/O. Call an activity instead.',
          },
          {
            regex: ourFolder('eventstore', 'api', 'identity', 'projections', 'worker', 'config'),
            message: 'Workflows may not depend on this layer: it does I/O. Reach it through an activity.',
          },
          {
            regex: ourFolder('activities'),
            allowTypeImports: true,
            message: 'Workflows import activities as types only (`import type`) and call them through proxyActivities.',
          },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
        name,
        message: 'Use sleep() or condition() from @temporalio/workflow: they are durable timers.',
      })),
      { name: 'process', message: 'Workflows have no process: pass configuration in the workflow input.' },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Math', property: 'random', message: 'Use uuid4() from @temporalio/workflow, or pass randomness in.' },
    ],
    'no-restricted-syntax': ['error', ...noRuntimeLoading('workflows')],
  },
};

const domainLayer = {
  files: ['domain/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...builtinPaths('The domain is pure: no Node built-ins.'),
          ...['better-sqlite3', 'fastify', 'pino'].map((name) => ({
            name,
            message: 'The domain is pure: no I/O or framework packages.',
          })),
        ],
        patterns: [
          { regex: NODE_PREFIX, message: 'The domain is pure: no Node built-ins.' },
          {
            regex: '^(@temporalio|@eventstore|better-sqlite3|fastify|pino)(/|$)',
            message: 'The domain is pure: no Temporal, event store, database, HTTP or logging packages.',
          },
          {
            regex: ourFolder('eventstore', 'workflows', 'activities', 'api', 'projections', 'identity', 'worker', 'config'),
            message: 'The domain depends on no other layer; the other layers depend on it.',
          },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      { name: 'process', message: 'The domain is pure: the caller passes configuration in.' },
      ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({ name, message: 'The domain is pure: no timers.' })),
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Math', property: 'random', message: 'The domain is pure: the caller passes identifiers in.' },
      { object: 'Date', property: 'now', message: 'The domain is pure: the caller passes "now" in.' },
    ],
    'no-restricted-syntax': [
      'error',
      ...noRuntimeLoading('the domain'),
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain is pure: the caller passes "now" in.' },
    ],
  },
};

const apiLayer = {
  files: ['api/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: ourFolder('ui', 'server'),
            message: 'The API does not depend on the UI (the UI depends on the API); server/compose.ts composes them.',
          },
        ],
      },
    ],
  },
};

const uiLayer = {
  files: ['ui/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex: ourFolder('server'), message: 'The UI is composed by server/, not the other way round.' }] },
    ],
  },
};

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'data/', 'coverage/', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_`-prefixed names are deliberate: a discarded destructured field, an unused callback parameter.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tooling loads modules found at run time (e.g. every *.bench.ts) with require(); static imports
    // stay the rule everywhere else, and the layer rules below forbid run-time loading outright.
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  workflowLayer,
  {
    // The bundle's entry loads a process type's modules when a workflow of that type first runs
    // (workflows/index.ts says why): it may require its own process modules and nothing else.
    files: ['workflows/index.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'Dynamic import() is not allowed in workflows; use a static import.' },
        {
          selector: "CallExpression[callee.name='require']:not([arguments.0.value=/^\\.\\/[a-z-]+\\/[a-z-]+\\.workflow$/])",
          message: 'workflows/index.ts may require only its own process modules (./<folder>/<name>.workflow).',
        },
      ],
    },
  },
  domainLayer,
  apiLayer,
  uiLayer,
);

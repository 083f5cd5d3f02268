// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Layering: what each folder may import (DESIGN.md §1). A rule, not a wish. */
const layer = (files, { paths = [], regex = [] }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: paths.map((name) => ({ name, message: `this layer may not import ${name} (DESIGN.md §1)` })),
        patterns: regex.map(([re, message]) => ({ regex: re, message })),
      },
    ],
  },
});

const CORE_FACES = [
  '(^|/)(main|renderer|preload|cli|lab)(/|$)',
  'src/core may not import the faces or the lab (DESIGN.md §1)',
];

const UI = ['electron', 'react', 'react-dom', 'react-dom/client', 'react/jsx-runtime'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'release/**', 'reports/**', '.electron-native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**/*.mjs', 'bin/**'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  layer(['src/core/**'], { paths: UI, regex: [CORE_FACES] }),
  // Import rules inside src/core (docs/architecture.md "Import rules"; scripts/import-graph.mjs finds
  // the cycles): analysis reads the store, never the other way round (what an attempt proves, which
  // both need, is in core/evidence); isolation runs the runner's probes and the partner sessions'
  // WebRTC sides, the runner only knows a ProbePlacement and partner a PeerSidePlacement; the
  // resource ledger every part registers on is the leaf core/ledger. A later block replaces the
  // rule for its files, so each repeats CORE_FACES.
  layer(['src/core/store/**'], {
    paths: UI,
    regex: [
      CORE_FACES,
      [
        '(^|/)(analysis|runner|service)(/|$)',
        'the store may not import analysis, the runner or the service: they read it (no cycle)',
      ],
    ],
  }),
  layer(['src/core/evidence/**'], {
    paths: UI,
    regex: [
      CORE_FACES,
      [
        '^\\.\\./(?!\\.\\./contract(/|$))',
        'core/evidence is a leaf: the contract only (the store and analysis both import it)',
      ],
    ],
  }),
  layer(['src/core/ledger/**'], {
    paths: UI,
    regex: [
      CORE_FACES,
      [
        '^\\.\\./',
        'core/ledger is a leaf: it imports nothing of the engine (probes, the runner, isolation, partner and the monitor all register on it)',
      ],
    ],
  }),
  layer(['src/core/runner/**'], {
    paths: UI,
    regex: [
      CORE_FACES,
      [
        '(^|/)(isolation|service)(/|$)',
        'the runner may not import isolation or the service: isolation uses the runner (ProbePlacement)',
      ],
    ],
  }),
  layer(['src/core/partner/**'], {
    paths: UI,
    regex: [
      CORE_FACES,
      [
        '(^|/)(isolation|service)(/|$)',
        'partner sessions may not import isolation or the service: isolation runs their WebRTC sides (PeerSidePlacement)',
      ],
    ],
  }),
  layer(['src/contract/**'], {
    paths: [...UI, ...nodeBuiltins],
    regex: [
      ['(^|/)(core|main|renderer|preload|cli|lab)(/|$)', 'src/contract imports zod only (DESIGN.md §1)'],
    ],
  }),
  layer(['src/lab/**'], {
    paths: UI,
    regex: [
      ['(^|/)(main|renderer|preload|cli)(/|$)', 'src/lab may import core and node only (DESIGN.md §1)'],
    ],
  }),
  layer(['src/cli/**'], {
    paths: UI,
    regex: [
      ['(^|/)(main|renderer|preload)(/|$)', 'src/cli may import core, lab and contract only (DESIGN.md §1)'],
    ],
  }),
  // main only shows windows (issue 20): of the engine it knows the supervisor and its messages; the
  // engine itself (SQLite, WebRTC, signaling, zip) runs in its own process
  layer(['src/main/**'], {
    paths: [
      'react',
      'react-dom',
      ...['better-sqlite3', '@roamhq/wrtc', 'simple-peer', 'gun', 'stun', 'yazl', 'yauzl', 'ws', 'peer'],
    ],
    regex: [
      [
        '(^|/)(renderer|preload|cli|lab)(/|$)',
        'src/main may import core, contract and electron only (DESIGN.md §1)',
      ],
      [
        '(^|/)core/(?!engine/(supervisor|protocol|client)$)',
        'src/main reaches the engine through core/engine/supervisor only: the engine runs in its own process (docs/architecture.md)',
      ],
    ],
  }),
  layer(['src/preload/**'], {
    paths: ['react', 'react-dom', ...nodeBuiltins],
    regex: [
      [
        '(^|/)(core|renderer|main|cli|lab)(/|$)',
        'src/preload may import the contract and electron only (DESIGN.md §1)',
      ],
    ],
  }),
  layer(['src/renderer/**'], {
    paths: ['electron', ...nodeBuiltins],
    regex: [
      ['(^|/)(core|main|preload|cli|lab)(/|$)', 'src/renderer talks only to the contract (DESIGN.md §1)'],
    ],
  }),
);

// ESLint (flat config): typescript-eslint's type-aware recommended rules over the project's TypeScript.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // (src/event/generated/: written and checked by its generators, as for Prettier)
  { ignores: ['dist/', 'build/', 'node_modules/', 'native/', 'src/event/generated/', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test runs and reports top-level tests itself; awaiting test()/describe() is not needed.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      // require() is deliberate: lazy loading for start-up time (src/util/lazy.ts) and, in tests, loading
      // after process.env is set; each is typed with `as typeof import(...)`, and no-unsafe-* flags any that is not.
      '@typescript-eslint/no-require-imports': 'off',
      // Terminal escapes (\x1b) and raw trace bytes are what these regexes are meant to match.
      'no-control-regex': 'off',
    },
  },
);

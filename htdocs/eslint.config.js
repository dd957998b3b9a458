// eslint.config.js - lint of the SPA: recommended JavaScript/TypeScript
// rules and the import boundaries app -> features -> shared (a feature
// never imports another feature or app/; shared/ imports neither). Run by
// `npm run lint` and `make check`.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** no-restricted-imports for one folder: `banned` patterns, with a reason. */
const restrict = (banned, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: banned, message }] }],
});

// Imports are absolute (@/...); a relative import may not climb out of its folder.
const UP = ['../*', '../**'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/', 'src/shared/api/schema.gen.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: restrict(UP, 'Import with @/ instead of climbing out of the folder.'),
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: restrict([...UP, '@/app', '@/app/**', '@/features', '@/features/**'],
      'shared/ is the bottom layer: it imports neither features/ nor app/.'),
  },
  ...features.map((f) => ({
    files: [`src/features/${f}/**/*.{ts,tsx}`],
    rules: restrict([...UP, '@/app', '@/app/**', '@/features/**', `!@/features/${f}/**`],
      `features/${f} may import shared/ and its own files only: move what several features need to shared/, or compose in app/.`),
  })),
  {
    files: ['scripts/**/*.mjs', '*.config.{js,ts}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
